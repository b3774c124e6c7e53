package dev.dmengine.openai;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {

    @Test
    void the_openai_adapter_depends_on_no_other_adapter_nor_the_server() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        assertThat(classes.containPackage("dev.dmengine.openai")).isTrue();
        ArchitectureRules.adapterIsolated("dev.dmengine.openai").check(classes);
    }

    @Test
    void the_openai_adapter_does_not_depend_on_the_engine() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        ArchitectureRules.adapterIndependentOfEngine("dev.dmengine.openai").check(classes);
    }
}
