package dev.dmengine.redis;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {

    @Test
    void the_redis_adapter_depends_on_no_other_adapter_nor_the_server() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        assertThat(classes.containPackage("dev.dmengine.redis")).isTrue();
        ArchitectureRules.adapterIsolated("dev.dmengine.redis").check(classes);
    }

    @Test
    void the_redis_adapter_uses_the_ports_and_never_the_engine() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        noClasses().that().resideInAPackage("dev.dmengine.redis..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.dmengine.core..", "dev.dmengine.auth..")
                .because("adapters depend on dm-spi only")
                .check(classes);
    }
}
