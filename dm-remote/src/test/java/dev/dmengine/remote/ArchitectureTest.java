package dev.dmengine.remote;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {

    @Test
    void the_remote_layer_depends_on_the_spi_the_jdk_and_the_logging_api_only() {
        JavaClasses classes = ArchitectureRules.productionClasses();

        assertThat(classes.containPackage("dev.dmengine.remote")).isTrue();
        ArchitectureRules.remoteLayerDependsOnSpiOnly().check(classes);
    }
}
