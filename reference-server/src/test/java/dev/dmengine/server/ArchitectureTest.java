package dev.dmengine.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.dmengine.testkit.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The host maps HTTP to the engine: it uses the engine's API, the ports and the adapters' APIs, no internals. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = ArchitectureRules.productionClasses();
    }

    @Test
    void the_import_sees_the_server_the_engine_and_the_adapters() {
        assertThat(classes.containPackage("dev.dmengine.server")).isTrue();
        assertThat(classes.containPackage("dev.dmengine.core.turn")).isTrue();
        assertThat(classes.containPackage("dev.dmengine.postgres")).isTrue();
    }

    @Test
    void the_server_uses_no_engine_or_adapter_internals() {
        ArchitectureRules.engineInternalsStayInside().check(classes);
        for (String adapter : ArchitectureRules.ADAPTERS) {
            ArchitectureRules.adapterInternalsStayInside(adapter).check(classes);
        }
    }

    @Test
    void queued_turns_go_through_the_engine_job_service_not_the_job_port() {
        noClasses().that().resideInAPackage("dev.dmengine.server..").and().doNotHaveSimpleName("Wiring")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.dmengine.spi.infra.JobQueue")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.dmengine.spi.infra.ClaimedJob")
                .because("ownership, idempotency and the worker of queued turns are the engine's (TurnJobs); "
                        + "only Wiring hands the adapter to the engine")
                .check(classes);
    }

    @Test
    void nothing_below_the_server_depends_on_it() {
        noClasses().that().resideOutsideOfPackage("dev.dmengine.server..")
                .should().dependOnClassesThat().resideInAPackage("dev.dmengine.server..")
                .because("the reference server is a host: the engine and adapters know nothing of it")
                .check(classes);
    }

    @Test
    void no_package_of_the_whole_product_is_in_a_cycle() {
        // the server's classpath holds every module it wires: engine, auth, adapters, remote layer
        ArchitectureRules.packagesFreeOfCycles("dev.dmengine").check(classes);
    }
}
