package dev.dmengine.examples.adapter;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The adapter keeps the project's dependency rule: the ports and the JDK, nothing of the engine. */
class ArchitectureTest {

    @Test
    void the_adapter_depends_on_the_ports_and_the_jdk_only() {
        JavaClasses adapter = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.dmengine.examples.adapter");

        classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.dmengine.spi..", "dev.dmengine.examples.adapter..")
                .because("an adapter depends on dm-spi only; the application wires it to the engine")
                .check(adapter);
    }
}
