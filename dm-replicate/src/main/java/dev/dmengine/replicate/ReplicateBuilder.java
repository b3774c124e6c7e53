package dev.dmengine.replicate;

import dev.dmengine.remote.HttpModelBuilder;
import dev.dmengine.replicate.internal.ReplicateApi;
import dev.dmengine.replicate.internal.ReplicateApi.Target;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The settings the Replicate adapters share on top of {@link HttpModelBuilder}'s: the API token
 * (required), what predictions are created for — an official model, a model version or a
 * deployment — and the timeout of one API request. The base URL defaults to
 * {@code https://api.replicate.com/v1}.
 *
 * @param <B> the concrete builder
 */
public abstract class ReplicateBuilder<B extends ReplicateBuilder<B>> extends HttpModelBuilder<B> {

    static final String TOKEN_VARIABLE = "REPLICATE_API_TOKEN";
    private static final Pattern OWNER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern VERSION_ID = Pattern.compile("[0-9a-f]{32,128}");

    private Target target;
    private Duration requestTimeout = Duration.ofSeconds(30);

    ReplicateBuilder() {
        super("https://api.replicate.com/v1");
    }

    /** The API token; see {@link #apiTokenFromEnvironment()}. Never logged. */
    public B apiToken(String value) {
        return apiKey(value);
    }

    /** Reads the token from the {@code REPLICATE_API_TOKEN} environment variable. */
    public B apiTokenFromEnvironment() {
        return apiKeyFromEnvironment(TOKEN_VARIABLE);
    }

    /** An official model, {@code owner/name}, e.g. {@code meta/meta-llama-3-8b-instruct}. */
    public B model(String ownerSlashName) {
        String[] on = ownerName(ownerSlashName, "model");
        target = new Target(Target.Kind.MODEL, on[0], on[1], null);
        return self();
    }

    /** A model version: its 64-character id, or {@code owner/name:id}. */
    public B version(String version) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version must be a version id or owner/name:id");
        }
        int colon = version.indexOf(':');
        String id = colon < 0 ? version : version.substring(colon + 1);
        if (!VERSION_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("version must be a hexadecimal version id or owner/name:id, was "
                    + version);
        }
        if (colon < 0) {
            target = new Target(Target.Kind.VERSION, null, null, id);
        } else {
            String[] on = ownerName(version.substring(0, colon), "version");
            target = new Target(Target.Kind.VERSION, on[0], on[1], id);
        }
        return self();
    }

    /** A deployment, {@code owner/name}. */
    public B deployment(String ownerSlashName) {
        String[] on = ownerName(ownerSlashName, "deployment");
        target = new Target(Target.Kind.DEPLOYMENT, on[0], on[1], null);
        return self();
    }

    /** Longest wait for one API response (create, get, list, cancel); 30 s by default. */
    public B requestTimeout(Duration value) {
        requestTimeout = value;
        return self();
    }

    private static String[] ownerName(String value, String what) {
        if (value == null || !OWNER_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be owner/name, was " + value);
        }
        return value.split("/", 2);
    }

    Target target() {
        if (target == null) {
            throw new IllegalArgumentException("set one of model(owner/name), version(id) or deployment(owner/name)");
        }
        return target;
    }

    ReplicateApi api() {
        return new ReplicateApi(endpoint(ReplicateApi.PROVIDER,
                "apiToken must be set (or use apiTokenFromEnvironment() to read " + TOKEN_VARIABLE + ")"),
                positive(requestTimeout, "requestTimeout"));
    }

    @Override
    public String toString() {
        return super.toString() + "[target=" + (target == null ? "unset" : target.describe()) + "]";
    }
}
