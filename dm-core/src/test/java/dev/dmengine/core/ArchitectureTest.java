package dev.dmengine.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = ArchitectureRules.productionClasses();
    }

    @Test
    void the_import_sees_both_spi_and_core() {
        assertThat(classes.containPackage("dev.dmengine.spi")).isTrue();
        assertThat(classes.containPackage("dev.dmengine.core.turn")).isTrue();
    }

    @Test
    void the_rule_catches_a_core_class_that_uses_jdbc() {
        JavaClasses offender = new com.tngtech.archunit.core.importer.ClassFileImporter()
                .importClasses(dev.dmengine.core.fixture.UsesJdbc.class);

        assertThatThrownBy(() -> ArchitectureRules.coreIsFrameworkFree().check(offender))
                .isInstanceOf(AssertionError.class).hasMessageContaining("java.sql.Connection");
    }

    @Test
    void the_rule_catches_a_core_class_that_uses_a_jwt_library() {
        JavaClasses offender = new com.tngtech.archunit.core.importer.ClassFileImporter()
                .importClasses(dev.dmengine.core.fixture.UsesJwt.class);

        assertThatThrownBy(() -> ArchitectureRules.coreUsesNoAuthLibraries().check(offender))
                .isInstanceOf(AssertionError.class).hasMessageContaining("io.jsonwebtoken.JwtBuilder");
    }

    @Test
    void core_uses_no_jwt_bouncy_castle_or_nbvcxz() {
        ArchitectureRules.coreUsesNoAuthLibraries().check(classes);
    }

    @Test
    void spi_depends_on_the_jdk_only() {
        ArchitectureRules.spiDependsOnJdkOnly().check(classes);
    }

    @Test
    void spi_and_core_import_no_framework_driver_or_vendor_client() {
        ArchitectureRules.coreIsFrameworkFree().check(classes);
    }

    @Test
    void core_packages_are_free_of_cycles() {
        ArchitectureRules.corePackagesFreeOfCycles().check(classes);
    }

    @Test
    void spi_and_core_depend_on_no_adapter() {
        ArchitectureRules.coreKnowsNoAdapter().check(classes);
    }

    @Test
    void core_parts_do_not_import_the_engine_root() {
        ArchitectureRules.coreSubpackagesDoNotImportTheRoot().check(classes);
    }

    @Test
    void the_cycle_rule_catches_a_package_that_cycles_with_its_own_sub_package() {
        JavaClasses offender = new com.tngtech.archunit.core.importer.ClassFileImporter().importClasses(
                dev.dmengine.core.fixture.a.Parent.class, dev.dmengine.core.fixture.a.b.Child.class);

        assertThatThrownBy(() -> ArchitectureRules.corePackagesFreeOfCycles().check(offender))
                .isInstanceOf(AssertionError.class).hasMessageContaining("fixture.a");
        // the old rule, one slice per first sub-package, saw no cycle in the same classes
        com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
                .matching("dev.dmengine.core.(*)..").should().beFreeOfCycles().check(offender);
    }

    @Test
    void the_upward_import_rule_catches_a_part_that_uses_the_engine_root() {
        JavaClasses offender = new com.tngtech.archunit.core.importer.ClassFileImporter()
                .importClasses(dev.dmengine.core.fixture.UsesEngine.class, DmEngine.class);

        assertThatThrownBy(() -> ArchitectureRules.coreSubpackagesDoNotImportTheRoot().check(offender))
                .isInstanceOf(AssertionError.class).hasMessageContaining("UsesEngine");
    }
}
