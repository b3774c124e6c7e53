package dev.dmengine.s3;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.dmengine.s3.fixture.UsesTheTestkit;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitectureTest {

    private static JavaClasses classes;

    /**
     * This module's production classes. The rules look at what they depend on, by name, so the
     * other modules need not be imported; and scanning the classpath for them would open S3Proxy's
     * two hundred jars.
     */
    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().importPath(Path.of("target", "classes"));
    }

    @Test
    void the_s3_adapter_depends_on_no_other_adapter_nor_the_server() {
        assertThat(classes.containPackage("dev.dmengine.s3")).isTrue();
        assertThat(classes.containPackage("dev.dmengine.s3.internal")).isTrue();
        ArchitectureRules.adapterIsolated("dev.dmengine.s3").check(classes);
    }

    @Test
    void the_s3_adapter_uses_dm_spi_and_not_the_engine() {
        onlyDmSpi().check(classes);
    }

    @Test
    void the_rule_catches_an_s3_class_that_uses_another_module() {
        JavaClasses offender = new ClassFileImporter().importClasses(UsesTheTestkit.class);

        assertThatThrownBy(() -> onlyDmSpi().check(offender)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("dev.dmengine.testkit.Await");
    }

    private static ArchRule onlyDmSpi() {
        return noClasses().that().resideInAPackage("dev.dmengine.s3..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.dmengine.core..", "dev.dmengine.testkit..")
                .because("dm-s3 depends on dm-spi only");
    }
}
