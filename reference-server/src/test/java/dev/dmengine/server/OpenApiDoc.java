package dev.dmengine.server;

import org.yaml.snakeyaml.Yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The operations of an OpenAPI 3.1 document, with their parameters, body schema and security resolved. */
final class OpenApiDoc {

    enum Auth { NONE, PLAYER, SERVICE }

    record Parameter(String name, String in, boolean required, Map<String, Object> schema) {
    }

    /**
     * @param body the JSON request body's schema, or null if the operation takes none
     */
    record Operation(String method, String path, List<Parameter> parameters, Map<String, Object> body,
                     boolean bodyRequired, Auth auth) {
        String name() {
            return method + " " + path;
        }

        List<Parameter> parameters(String in) {
            return parameters.stream().filter(p -> p.in().equals(in)).toList();
        }
    }

    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");

    private final Map<String, Object> root;

    @SuppressWarnings("unchecked")
    OpenApiDoc(String yaml) {
        this.root = (Map<String, Object>) new Yaml().load(yaml);
    }

    @SuppressWarnings("unchecked")
    List<Operation> operations() {
        Auth defaultAuth = auth((List<Object>) root.get("security"), Auth.NONE);
        List<Operation> ops = new ArrayList<>();
        Map<String, Object> paths = (Map<String, Object>) root.get("paths");
        for (Map.Entry<String, Object> p : paths.entrySet()) {
            Map<String, Object> item = resolve(p.getValue());
            List<Parameter> shared = parameters((List<Object>) item.get("parameters"));
            for (String method : METHODS) {
                if (!item.containsKey(method)) {
                    continue;
                }
                Map<String, Object> op = resolve(item.get(method));
                List<Parameter> params = new ArrayList<>(shared);
                params.addAll(parameters((List<Object>) op.get("parameters")));
                Map<String, Object> body = null;
                boolean required = false;
                if (op.containsKey("requestBody")) {
                    Map<String, Object> rb = resolve(op.get("requestBody"));
                    required = Boolean.TRUE.equals(rb.get("required"));
                    Map<String, Object> content = (Map<String, Object>) rb.get("content");
                    Map<String, Object> json = (Map<String, Object>) content.get("application/json");
                    body = json == null ? null : schema(json.get("schema"));
                }
                Auth auth = op.containsKey("security") ? auth((List<Object>) op.get("security"), Auth.NONE) : defaultAuth;
                ops.add(new Operation(method.toUpperCase(), p.getKey(), List.copyOf(params), body, required, auth));
            }
        }
        return ops;
    }

    @SuppressWarnings("unchecked")
    private static Auth auth(List<Object> requirements, Auth none) {
        if (requirements == null || requirements.isEmpty()) {
            return none;
        }
        Map<String, Object> first = (Map<String, Object>) requirements.getFirst();
        return first.containsKey("service") ? Auth.SERVICE : Auth.PLAYER;
    }

    @SuppressWarnings("unchecked")
    private List<Parameter> parameters(List<Object> raw) {
        List<Parameter> out = new ArrayList<>();
        if (raw != null) {
            for (Object o : raw) {
                Map<String, Object> p = resolve(o);
                out.add(new Parameter((String) p.get("name"), (String) p.get("in"),
                        Boolean.TRUE.equals(p.get("required")), schema(p.get("schema"))));
            }
        }
        return out;
    }

    /** A schema with every {@code $ref} in it replaced by what it names (the document has no cycles). */
    @SuppressWarnings("unchecked")
    Map<String, Object> schema(Object raw) {
        if (raw == null) {
            return Map.of();
        }
        Map<String, Object> s = resolve(raw);
        Map<String, Object> out = new LinkedHashMap<>(s);
        if (s.get("properties") instanceof Map<?, ?> props) {
            Map<String, Object> resolved = new LinkedHashMap<>();
            ((Map<String, Object>) props).forEach((k, v) -> resolved.put(k, schema(v)));
            out.put("properties", resolved);
        }
        if (s.get("items") != null) {
            out.put("items", schema(s.get("items")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(Object node) {
        Map<String, Object> m = (Map<String, Object>) node;
        Object ref = m.get("$ref");
        if (ref == null) {
            return m;
        }
        Object cur = root;
        for (String part : ((String) ref).substring(2).split("/")) {
            cur = ((Map<String, Object>) cur).get(part);
        }
        return resolve(cur);
    }
}
