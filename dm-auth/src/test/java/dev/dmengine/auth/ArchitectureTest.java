package dev.dmengine.auth;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.dmengine.auth.fixture.UsesEngine;
import dev.dmengine.auth.fixture.UsesJdbc;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = ArchitectureRules.productionClasses();
    }

    @Test
    void the_import_sees_the_auth_classes_and_the_engine_beside_them() {
        assertThat(classes.containPackage("dev.dmengine.auth")).isTrue();
        assertThat(classes.contain(AuthService.class)).isTrue();
        assertThat(classes.containPackage("dev.dmengine.core")).isTrue(); // on the test classpath, so the rule has something to refuse
    }

    @Test
    void auth_depends_on_no_engine_server_adapter_or_remote_layer() {
        ArchitectureRules.authIndependentOfEngine().check(classes);
    }

    @Test
    void auth_imports_no_web_framework_database_driver_or_vendor_client() {
        ArchitectureRules.authIsFrameworkFree().check(classes);
    }

    @Test
    void auth_uses_the_ports_and_its_own_libraries_only() {
        classes().that().resideInAPackage("dev.dmengine.auth..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..",
                        "dev.dmengine.spi..", "dev.dmengine.auth..", "org.slf4j..", "com.fasterxml.jackson..",
                        "io.jsonwebtoken..", "org.bouncycastle..", "me.gosimple.nbvcxz..")
                .because("dm-auth's dependencies are dm-spi, the JDK, SLF4J, Jackson, jjwt, Bouncy Castle and nbvcxz")
                .check(classes);
    }

    @Test
    void the_rules_catch_an_auth_class_that_uses_the_engine_or_a_database() {
        JavaClasses offenders = new ClassFileImporter().importClasses(UsesEngine.class, UsesJdbc.class);

        assertThatThrownBy(() -> ArchitectureRules.authIndependentOfEngine().check(offenders))
                .isInstanceOf(AssertionError.class).hasMessageContaining("dev.dmengine.core.DmEngine");
        assertThatThrownBy(() -> ArchitectureRules.authIsFrameworkFree().check(offenders))
                .isInstanceOf(AssertionError.class).hasMessageContaining("java.sql.Connection");
    }
}
