package dev.dmengine.postgres;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = ArchitectureRules.productionClasses();
    }

    @Test
    void the_import_sees_the_adapter() {
        assertThat(classes.containPackage("dev.dmengine.postgres")).isTrue();
        assertThat(classes.containPackage("dev.dmengine.postgres.internal")).isTrue();
    }

    @Test
    void the_postgres_adapter_depends_on_no_other_adapter_nor_the_server() {
        ArchitectureRules.adapterIsolated("dev.dmengine.postgres").check(classes);
    }

    @Test
    void the_postgres_adapter_uses_the_ports_and_never_the_engine() {
        ArchitectureRules.adapterIndependentOfEngine("dev.dmengine.postgres").check(classes);
        noClasses().that().resideInAPackage("dev.dmengine.postgres..")
                .should().dependOnClassesThat().resideInAPackage("dev.dmengine.auth..")
                .because("adapters depend on dm-spi only").check(classes);
    }

    @Test
    void its_packages_are_free_of_cycles_and_its_internals_stay_inside() {
        ArchitectureRules.packagesFreeOfCycles("dev.dmengine.postgres").check(classes);
        ArchitectureRules.adapterInternalsStayInside("dev.dmengine.postgres").check(classes);
    }
}
