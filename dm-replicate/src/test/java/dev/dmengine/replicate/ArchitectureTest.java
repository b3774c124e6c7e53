package dev.dmengine.replicate;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {

    @Test
    void the_replicate_adapter_depends_on_no_other_adapter_nor_the_server() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        assertThat(classes.containPackage("dev.dmengine.replicate")).isTrue();
        ArchitectureRules.adapterIsolated("dev.dmengine.replicate").check(classes);
    }

    @Test
    void the_replicate_adapter_does_not_depend_on_the_engine() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        ArchitectureRules.adapterIndependentOfEngine("dev.dmengine.replicate").check(classes);
    }
}
