package dev.dmengine.testkit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * DESIGN.md's dependency rule as ArchUnit rules, for every module's tests to check:
 * {@code dm-spi} depends on the JDK only; {@code dm-core} and {@code dm-auth} on dm-spi and small
 * framework-free libraries (JWT and password hashing in dm-auth only); adapters never on each other.
 */
public final class ArchitectureRules {

    /** Packages of frameworks, drivers and vendor clients that spi and core must not touch. */
    public static final List<String> INFRASTRUCTURE = List.of(
            "io.helidon..", "jakarta..", "javax.ws..", "javax.servlet..", "org.jdbi..", "redis.clients..",
            "io.minio..", "org.postgresql..", "com.pgvector..", "com.zaxxer..", "java.sql..", "javax.sql..",
            "org.flywaydb..", "software.amazon..", "ai.onnxruntime..", "dev.langchain4j..");

    /** The root package of each adapter module. */
    public static final List<String> ADAPTERS = List.of(
            "dev.dmengine.postgres", "dev.dmengine.redis", "dev.dmengine.replicate", "dev.dmengine.openai",
            "dev.dmengine.onnx", "dev.dmengine.s3");

    /** The root package of the remote-call layer (dm-remote) that model adapters share. */
    public static final String REMOTE = "dev.dmengine.remote";

    /** The root package of dm-auth: accounts, passwords, tokens, refresh families, audit. */
    public static final String AUTH = "dev.dmengine.auth";

    /** The JWT, cryptography and password-strength libraries that only dm-auth may use. */
    public static final List<String> AUTH_LIBRARIES = List.of("io.jsonwebtoken..", "org.bouncycastle..",
            "me.gosimple.nbvcxz..");

    private ArchitectureRules() {
    }

    /** The production classes of {@code dev.dmengine} on the classpath (tests and jars of tests excluded). */
    public static JavaClasses productionClasses() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/dm-testkit/"))
                .importPackages("dev.dmengine");
    }

    public static ArchRule spiDependsOnJdkOnly() {
        return classes().that().resideInAPackage("dev.dmengine.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.dmengine.spi..")
                .because("dm-spi holds ports and value types with JDK-only dependencies");
    }

    public static ArchRule coreIsFrameworkFree() {
        return noClasses().that().resideInAnyPackage("dev.dmengine.core..", "dev.dmengine.spi..")
                .should().dependOnClassesThat().resideInAnyPackage(INFRASTRUCTURE.toArray(String[]::new))
                .because("dm-spi and dm-core know no web framework, database driver or vendor client");
    }

    public static ArchRule coreKnowsNoAdapter() {
        return noClasses().that().resideInAnyPackage("dev.dmengine.core..", "dev.dmengine.spi..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ADAPTERS.stream().map(a -> a + "..").toArray(String[]::new))
                .because("adapters depend on the core, never the reverse");
    }

    /**
     * Every package of dm-core, nested ones each on their own ({@code rules} and
     * {@code rules.internal} are two), depends on the others without cycles. Slicing by the first
     * sub-package only ({@code core.(*)..}) hid a cycle between a package and its own sub-package.
     */
    public static ArchRule corePackagesFreeOfCycles() {
        return packagesFreeOfCycles("dev.dmengine.core");
    }

    /** Every package under {@code root}, each on its own, depends on the others without cycles. */
    public static ArchRule packagesFreeOfCycles(String root) {
        return com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
                .matching(root + ".(**)").should().beFreeOfCycles()
                .because("a cycle between packages makes neither understandable alone");
    }

    /**
     * The engine's parts never import the engine's root package ({@code DmEngine} and its
     * {@code Ports}): the root assembles the parts, a part that reaches back up for the assembly
     * depends on everything.
     */
    public static ArchRule coreSubpackagesDoNotImportTheRoot() {
        return noClasses().that().resideInAPackage("dev.dmengine.core.*..")
                .should().dependOnClassesThat().resideInAPackage("dev.dmengine.core")
                .because("DmEngine assembles the engine's parts; a part that imports it depends on all the others");
    }

    /** Code outside dm-core does not use the engine's internal packages. */
    public static ArchRule engineInternalsStayInside() {
        return noClasses().that().resideOutsideOfPackage("dev.dmengine.core..")
                .should().dependOnClassesThat().resideInAPackage("dev.dmengine.core.internal..")
                .because("dev.dmengine.core.internal may change in any release");
    }

    /** Code outside an adapter does not use its internal package. */
    public static ArchRule adapterInternalsStayInside(String adapterPackage) {
        return noClasses().that().resideOutsideOfPackage(adapterPackage + "..")
                .should().dependOnClassesThat().resideInAPackage(adapterPackage + ".internal..")
                .because(adapterPackage + ".internal is not the adapter's API");
    }

    /** The adapter rooted at {@code adapterPackage} depends on no other adapter nor on the server. */
    public static ArchRule adapterIsolated(String adapterPackage) {
        String[] others = ADAPTERS.stream().filter(a -> !a.equals(adapterPackage)).map(a -> a + "..")
                .toArray(String[]::new);
        String[] forbidden = Arrays.copyOf(others, others.length + 1);
        forbidden[others.length] = "dev.dmengine.server..";
        return noClasses().that().resideInAPackage(adapterPackage + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because("adapters never depend on each other; only the server and examples wire them together");
    }

    /** The adapter rooted at {@code adapterPackage} stands on dm-spi (and dm-remote), never on the engine. */
    public static ArchRule adapterIndependentOfEngine(String adapterPackage) {
        return noClasses().that().resideInAPackage(adapterPackage + "..")
                .should().dependOnClassesThat().resideInAPackage("dev.dmengine.core..")
                .because("adapters depend on dm-spi and the remote-call layer, never on dm-core");
    }

    /** dm-remote depends on dm-spi, the JDK and the logging API only: no engine, no adapter, no framework. */
    public static ArchRule remoteLayerDependsOnSpiOnly() {
        return classes().that().resideInAPackage(REMOTE + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.dmengine.spi..", REMOTE + "..",
                        "org.slf4j..")
                .because("the remote-call layer is shared by adapters and knows no engine types");
    }

    /** dm-core leaves JWT, password hashing and password-strength estimation to dm-auth. */
    public static ArchRule coreUsesNoAuthLibraries() {
        return noClasses().that().resideInAPackage("dev.dmengine.core..")
                .should().dependOnClassesThat().resideInAnyPackage(AUTH_LIBRARIES.toArray(String[]::new))
                .because("accounts and tokens are dm-auth's: the engine carries no JWT, Bouncy Castle or nbvcxz");
    }

    /** dm-auth stands on dm-spi: no engine, no server, no adapter, no remote-call layer. */
    public static ArchRule authIndependentOfEngine() {
        String[] forbidden = Stream.concat(Stream.of("dev.dmengine.core", "dev.dmengine.server", REMOTE),
                        ADAPTERS.stream())
                .map(p -> p + "..").toArray(String[]::new);
        return noClasses().that().resideInAPackage(AUTH + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because("dm-auth depends on dm-spi only; a host wires it to the engine's ports");
    }

    /** dm-auth knows no web framework, database driver or vendor client: the host carries tokens and cookies. */
    public static ArchRule authIsFrameworkFree() {
        return noClasses().that().resideInAPackage(AUTH + "..")
                .should().dependOnClassesThat().resideInAnyPackage(INFRASTRUCTURE.toArray(String[]::new))
                .because("dm-auth is framework-free: cookies, CSRF and client addresses are the web host's");
    }
}
