package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.server.OpenApiDoc.Auth;
import dev.dmengine.server.OpenApiDoc.Operation;
import dev.dmengine.server.OpenApiDoc.Parameter;
import dev.dmengine.server.RawHttp.Header;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Bad requests for one operation of the OpenAPI document, made from its own description: a
 * valid request first (owned ids, a body that fits the schema, the right credentials), then
 * one thing broken per case — the body (wrong types, nulls, 10,000 levels of nesting, strings
 * past every limit, invalid UTF-8, lone surrogates as {@code \}{@code ud800} escapes, unknown
 * fields, duplicate keys, arrays for objects, huge numbers, empty or malformed JSON), its
 * content type, a path or query parameter, a header, or the credentials. The same seed makes
 * the same cases.
 */
final class FuzzCases {

    /**
     * @param mustRefuse the request is invalid whatever the server's state: the answer must be a
     *                   4xx (other cases may also succeed, and must then not be a 5xx either)
     */
    record Case(String description, RawHttp.Request request, boolean mustRefuse) {
    }

    /** What the cases may name: the fuzzing player's own things, another player's, and credentials. */
    record Fixtures(String playerId, String access, String serviceToken, String characterId, String sessionId,
                    String jobId, String otherCharacterId, String otherSessionId) {
    }

    private static final String SLOT = "fuzz-slot-3f9a1c";
    private static final int DEEP = 10_000;

    private final Operation op;
    private final Fixtures f;
    private final Random rnd;
    /** The path {@link #slot} chose last, empty for the whole body. */
    private List<Object> slotted = List.of();

    FuzzCases(Operation op, Fixtures fixtures, Random rnd) {
        this.op = op;
        this.f = fixtures;
        this.rnd = rnd;
    }

    /** {@code n} cases, every kind that applies to the operation in turn, in a seeded order. */
    List<Case> cases(int n) {
        List<Function<Base, Case>> kinds = new ArrayList<>();
        if (op.body() != null) {
            kinds.addAll(List.of(this::wrongType, this::nullValue, this::deepNesting, this::longString,
                    this::invalidUtf8, this::loneSurrogate, this::unknownField, this::hugeNumber, this::duplicateKey,
                    this::arrayForObject, this::wholeBody, this::contentType, this::missingContentType,
                    this::emptyBody, this::oversizedBody));
        } else {
            kinds.add(this::unexpectedBody);
        }
        if (op.path().contains("{id}")) {
            kinds.add(this::pathId);
            kinds.add(this::pathId);
        }
        kinds.add(this::query);
        if (!op.parameters("query").isEmpty()) {
            kinds.add(this::query);
        }
        for (Parameter h : op.parameters("header")) {
            kinds.add(b -> declaredHeader(b, h));
        }
        kinds.addAll(List.of(this::header, this::transferEncoding));
        if (op.auth() != Auth.NONE) {
            kinds.addAll(List.of(this::unauthenticated, this::badCredentials));
        }
        if (op.path().endsWith("/ws")) {
            kinds.add(this::upgrade);
        }
        if (op.path().endsWith("/messages") && op.method().equals("POST") || op.path().endsWith("/regenerate")) {
            kinds.add(this::streamed);
        }
        List<Case> out = new ArrayList<>(n);
        List<Function<Base, Case>> order = new ArrayList<>(kinds);
        for (int i = 0; i < n; i++) {
            if (i % kinds.size() == 0) {
                Collections.shuffle(order, rnd);
            }
            out.add(order.get(i % order.size()).apply(new Base()));
        }
        return out;
    }

    // ---------------------------------------------------------------- the valid request

    /** A valid request for the operation, which each kind breaks in one place. */
    final class Base {
        String target = target(op.path());
        String query = "";
        List<Header> headers = new ArrayList<>();
        JsonNode body = op.body() == null ? null : example(op.body(), "body");

        Base() {
            String xff = "10." + rnd.nextInt(250) + "." + rnd.nextInt(250) + "." + (1 + rnd.nextInt(250));
            headers.add(Header.of("X-Forwarded-For", xff));
            switch (op.auth()) {
                case PLAYER -> headers.add(Header.of("Authorization", "Bearer " + f.access()));
                case SERVICE -> headers.add(Header.of("Authorization", "Bearer " + f.serviceToken()));
                case NONE -> { }
            }
            if (body != null) {
                headers.add(Header.of("Content-Type", "application/json"));
            }
        }

        Case with(String description, byte[] bodyBytes, boolean mustRefuse) {
            byte[] t = (target + query).getBytes(StandardCharsets.UTF_8);
            return new Case(description, new RawHttp.Request(op.method(), t, headers, bodyBytes), mustRefuse);
        }

        Case withRawTarget(String description, byte[] rawTarget, boolean mustRefuse) {
            return new Case(description, new RawHttp.Request(op.method(), rawTarget, headers, bodyBytes()),
                    mustRefuse);
        }

        byte[] bodyBytes() {
            return body == null ? null : write(body);
        }

        void header(String name, byte[] value) {
            headers.removeIf(h -> h.name().equalsIgnoreCase(name));
            headers.add(new Header(name, value));
        }

        void dropHeader(String name) {
            headers.removeIf(h -> h.name().equalsIgnoreCase(name));
        }
    }

    private String target(String path) {
        String id = path.startsWith("/api/characters") ? f.characterId()
                : path.startsWith("/api/jobs") ? f.jobId() : f.sessionId();
        return path.replace("{id}", id);
    }

    /** A value that fits the schema, using the fixtures for ids. */
    private JsonNode example(Map<String, Object> schema, String name) {
        var nodes = Http.MAPPER.getNodeFactory();
        Object type = schema.get("type");
        if (type instanceof List<?> l) {
            type = l.getFirst();
        }
        if (schema.get("enum") instanceof List<?> values) {
            return nodes.textNode(String.valueOf(values.getFirst()));
        }
        return switch (type == null ? "object" : type.toString()) {
            case "string" -> nodes.textNode(exampleText(name, schema));
            case "integer" -> nodes.numberNode(switch (name) {
                case "k" -> 5;
                case "maxTokens" -> 16;
                default -> schema.get("minimum") instanceof Number m ? Math.max(1, m.intValue()) : 1;
            });
            case "number" -> nodes.numberNode(0.5);
            case "boolean" -> nodes.booleanNode(true);
            case "array" -> {
                ArrayNode a = nodes.arrayNode();
                @SuppressWarnings("unchecked")
                Map<String, Object> items = (Map<String, Object>) schema.getOrDefault("items", Map.of("type", "string"));
                a.add(example(items, name));
                yield a;
            }
            default -> {
                ObjectNode o = nodes.objectNode();
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> props = (Map<String, Map<String, Object>>) schema.get("properties");
                List<?> required = schema.get("required") instanceof List<?> r ? r : List.of();
                if (props != null) {
                    props.forEach((k, v) -> {
                        boolean version = k.equals("version");
                        boolean include = version ? op.method().equals("PUT")
                                : required.contains(k) || k.equals("role") || k.equals("content") || rnd.nextBoolean();
                        if (include) {
                            o.set(k, example(v, k));
                        }
                    });
                }
                yield o;
            }
        };
    }

    private String exampleText(String name, Map<String, Object> schema) {
        if ("uuid".equals(schema.get("format"))) {
            return switch (name) {
                case "characterId" -> f.characterId();
                case "playerId" -> f.playerId();
                default -> f.sessionId();
            };
        }
        return switch (name) {
            case "email" -> "fuzz-" + rnd.nextInt(1_000_000) + "@example.org";
            case "password" -> "a long passphrase of mine " + rnd.nextInt(1000);
            case "characterClass" -> "wizard";
            case "itemId" -> "torch";
            case "text", "content" -> "I look around";
            case "title" -> "A fuzzed tale";
            default -> "Fuzz";
        };
    }

    // ---------------------------------------------------------------- body kinds

    /** Paths (field names and array indexes) of every value in the tree. */
    private static List<List<Object>> paths(JsonNode node) {
        List<List<Object>> out = new ArrayList<>();
        collect(node, new ArrayList<>(), out);
        return out;
    }

    private static void collect(JsonNode node, List<Object> at, List<List<Object>> out) {
        if (!at.isEmpty()) {
            out.add(List.copyOf(at));
        }
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(k -> {
                at.add(k);
                collect(node.get(k), at, out);
                at.removeLast();
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                at.add(i);
                collect(node.get(i), at, out);
                at.removeLast();
            }
        }
    }

    /** Puts the slot marker at a random value (or the root if it has none) and returns the path's name. */
    private String slot(Base b) {
        return slot(b, paths(b.body));
    }

    private String slot(Base b, List<List<Object>> candidates) {
        if (candidates.isEmpty() || !(b.body instanceof ObjectNode || b.body instanceof ArrayNode)) {
            b.body = Http.MAPPER.getNodeFactory().textNode(SLOT);
            slotted = List.of();
            return "the body";
        }
        List<Object> path = candidates.get(rnd.nextInt(candidates.size()));
        slotted = path;
        JsonNode parent = b.body;
        for (Object step : path.subList(0, path.size() - 1)) {
            parent = step instanceof String s ? parent.get(s) : parent.get((Integer) step);
        }
        Object last = path.getLast();
        if (parent instanceof ObjectNode o) {
            o.put((String) last, SLOT);
        } else {
            ((ArrayNode) parent).set((Integer) last, Http.MAPPER.getNodeFactory().textNode(SLOT));
        }
        return String.join(".", path.stream().map(String::valueOf).toList());
    }

    /** The body with the slot replaced by raw bytes. */
    private static byte[] fill(Base b, byte[] fragment) {
        byte[] json = write(b.body);
        byte[] marker = ("\"" + SLOT + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(json, marker);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(json, 0, at);
        out.writeBytes(fragment);
        out.write(json, at + marker.length, json.length - at - marker.length);
        return out.toByteArray();
    }

    private static byte[] fill(Base b, String fragment) {
        return fill(b, fragment.getBytes(StandardCharsets.UTF_8));
    }

    private Case wrongType(Base b) {
        String at = slot(b);
        String[] values = {"123", "-1.5", "true", "\"text\"", "[]", "{}", "[1,\"a\",null]", "{\"a\":{\"b\":[]}}"};
        String[] kinds = {"integer", "number", "boolean", "string", "array", "object", "array", "object"};
        int i = rnd.nextInt(values.length);
        String expected = typeAt(slotted);
        // a value of the expected JSON type is no refusal; the others are (an integer is a number too)
        boolean fits = expected == null || expected.equals(kinds[i])
                || expected.equals("number") && kinds[i].equals("integer");
        return b.with("wrong type " + values[i] + " at " + at + " (" + expected + ")", fill(b, values[i]), !fits);
    }

    /** The schema's type at a path of the body, or null if the schema does not say. */
    @SuppressWarnings("unchecked")
    private String typeAt(List<Object> path) {
        Map<String, Object> schema = op.body();
        for (Object step : path) {
            Object next = step instanceof String name && schema.get("properties") instanceof Map<?, ?> props
                    ? props.get(name) : step instanceof Integer ? schema.get("items") : null;
            if (!(next instanceof Map<?, ?>)) {
                return null;
            }
            schema = (Map<String, Object>) next;
        }
        Object type = schema.get("type");
        if (type == null && schema.containsKey("properties")) {
            return "object";
        }
        return type instanceof List<?> l ? null : type == null ? null : type.toString();
    }

    private Case nullValue(Base b) {
        String at = slot(b);
        return b.with("null at " + at, fill(b, "null"), at.equals("the body"));
    }

    private Case deepNesting(Base b) {
        String at = slot(b);
        // 20,000 or 60,001 bytes: under the body limit, so the parser meets them
        String deep = rnd.nextBoolean() ? "[".repeat(DEEP) + "]".repeat(DEEP)
                : "{\"\":".repeat(DEEP) + "1" + "}".repeat(DEEP);
        return b.with(DEEP + " levels of " + (deep.startsWith("[") ? "arrays" : "objects") + " at " + at,
                fill(b, deep), true);
    }

    private Case longString(Base b) {
        String at = slot(b, textPaths(b.body));
        int[] lengths = {129, 4_001, 8_001, 40_000, 60_000, 70_000};
        int n = lengths[rnd.nextInt(lengths.length)];
        char c = "aé\u4e2d".charAt(rnd.nextInt(3));
        return b.with(n + " × U+" + Integer.toHexString(c) + " at " + at, fill(b, "\"" + String.valueOf(c).repeat(n)
                + "\""), false);
    }

    private Case invalidUtf8(Base b) {
        String at = slot(b, textPaths(b.body));
        int[][] sequences = {{0xC3, 0x28}, {0xFF}, {0xED, 0xA0, 0x80}, {0xC0, 0xAF}, {0xF8, 0x88, 0x80, 0x80, 0x80},
                {0xE2, 0x82}, {0x80}, {0xF4, 0x90, 0x80, 0x80}};
        int[] seq = sequences[rnd.nextInt(sequences.length)];
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes("\"ab".getBytes(StandardCharsets.US_ASCII));
        for (int x : seq) {
            v.write(x);
        }
        v.writeBytes("cd\"".getBytes(StandardCharsets.US_ASCII));
        StringBuilder hex = new StringBuilder();
        for (int x : seq) {
            hex.append(String.format("%02X ", x));
        }
        return b.with("invalid UTF-8 bytes " + hex.toString().strip() + " at " + at, fill(b, v.toByteArray()), true);
    }

    private Case loneSurrogate(Base b) {
        String at = slot(b, textPaths(b.body));
        String[] escapes = {"\\ud800", "\\udfff", "\\udc00\\ud800", "\\ud83d", "\\u0000", "\\u001b", "\\ud800\\ud800"};
        String e = escapes[rnd.nextInt(escapes.length)];
        return b.with("escape " + e + " at " + at, fill(b, "\"Ari" + e + "x\""), false);
    }

    private Case unknownField(Base b) {
        List<List<Object>> objects = new ArrayList<>();
        for (List<Object> p : paths(b.body)) {
            if (node(b.body, p).isObject()) {
                objects.add(p);
            }
        }
        String at = "the body";
        JsonNode target = b.body;
        if (!objects.isEmpty() && rnd.nextBoolean()) {
            List<Object> p = objects.get(rnd.nextInt(objects.size()));
            target = node(b.body, p);
            at = String.join(".", p.stream().map(String::valueOf).toList());
        }
        if (!(target instanceof ObjectNode o)) {
            return wholeBody(b);
        }
        boolean sheet = at.equals("sheet"); // the sheet is free-form JSON: any field is allowed there
        o.put("zzUnknown" + rnd.nextInt(100), 1);
        return b.with("unknown field in " + at, b.bodyBytes(), !sheet);
    }

    private Case hugeNumber(Base b) {
        String at = slot(b);
        String[] numbers = {"1e400", "-1e400", "123456789012345678901234567890", "-9223372036854775809",
                "2147483648", "1.0e-400", "0.1", "-0", "1E+2", "99999999999999999999.5"};
        String v = numbers[rnd.nextInt(numbers.length)];
        return b.with("number " + v + " at " + at, fill(b, v), false);
    }

    private Case duplicateKey(Base b) {
        byte[] json = b.bodyBytes();
        if (!(b.body instanceof ObjectNode o) || o.isEmpty()) {
            return b.with("duplicate keys in an empty object", "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8),
                    true);
        }
        String key = o.fieldNames().next();
        String dup = "{\"" + key + "\":" + o.get(key) + "," + new String(json, StandardCharsets.UTF_8).substring(1);
        return b.with("duplicate key " + key, dup.getBytes(StandardCharsets.UTF_8), true);
    }

    private Case arrayForObject(Base b) {
        List<List<Object>> objects = new ArrayList<>();
        for (List<Object> p : paths(b.body)) {
            if (node(b.body, p).isObject() && !p.getLast().equals("sheet")) {
                objects.add(p);
            }
        }
        if (objects.isEmpty() || rnd.nextBoolean()) {
            return b.with("an array for the body", ("[" + b.body + "]").getBytes(StandardCharsets.UTF_8), true);
        }
        String at = slot(b, objects);
        return b.with("an array for the object at " + at, fill(b, "[{}]"), true);
    }

    private Case wholeBody(Base b) {
        String valid = b.body.toString();
        String[][] bodies = {{"null", "null", "y"}, {"[]", "an empty array", "y"}, {"\"text\"", "a string", "y"},
                {"42", "a number", "y"}, {"true", "true", "y"}, {"{", "truncated JSON", "y"},
                {valid + "}", "an extra brace", "y"}, {valid + " x", "trailing data", "y"},
                {"\uFEFF" + valid, "a byte-order mark before valid JSON", "n"}, {"{'a':1}", "single quotes", "y"},
                {"{/*c*/}", "a comment", "y"}, {"{\"a\":NaN}", "NaN", "y"},
                {valid.replaceFirst(":", ""), "a missing colon", "y"}, {"\u0000", "a NUL byte", "y"}};
        String[] pick = bodies[rnd.nextInt(bodies.length)];
        return b.with("body: " + pick[1], pick[0].getBytes(StandardCharsets.UTF_8), pick[2].equals("y"));
    }

    private Case contentType(Base b) {
        String[][] types = {{"text/plain", "y"}, {"application/xml", "y"}, {"application/x-www-form-urlencoded", "y"},
                {"multipart/form-data; boundary=x", "y"}, {"application/jsonx", "y"}, {"*/*", "y"}, {"json", "y"},
                {"", "y"}, {"application/json; charset=utf-16", "n"}, {"application/json;;;", "n"},
                {"APPLICATION/JSON", "n"}, {"application/problem+json", "n"}, {"text/json", "y"}};
        String[] t = types[rnd.nextInt(types.length)];
        b.header("Content-Type", t[0].getBytes(StandardCharsets.US_ASCII));
        return b.with("Content-Type '" + t[0] + "'", b.bodyBytes(), t[1].equals("y"));
    }

    private Case missingContentType(Base b) {
        b.dropHeader("Content-Type");
        return b.with("no Content-Type", b.bodyBytes(), true);
    }

    private Case emptyBody(Base b) {
        return b.with("an empty body", new byte[0], op.bodyRequired());
    }

    private Case oversizedBody(Base b) {
        int n = rnd.nextBoolean() ? 70_000 : 1_100_000;
        String padded = "{\"pad\":\"" + "a".repeat(n) + "\"}";
        return b.with("a body of " + padded.length() + " bytes", padded.getBytes(StandardCharsets.UTF_8), true);
    }

    private Case unexpectedBody(Base b) {
        String[] bodies = {"{\"a\":1}", "[".repeat(DEEP), "\u00ff\u00fe", "x".repeat(70_000)};
        int i = rnd.nextInt(bodies.length);
        if (i != 3) {
            b.header("Content-Type", "application/json".getBytes(StandardCharsets.US_ASCII));
        }
        return b.with("a body the operation does not take (" + (i == 3 ? "70,000 bytes" : "#" + i) + ")",
                bodies[i].getBytes(StandardCharsets.ISO_8859_1), false);
    }

    // ---------------------------------------------------------------- parameters, headers, credentials

    private Case pathId(Base b) {
        String valid = target(op.path());
        String id = valid.substring(op.path().indexOf("{id}"), op.path().indexOf("{id}") + 36);
        String other = op.path().startsWith("/api/characters") ? f.otherCharacterId() : f.otherSessionId();
        String[][] ids = {{"00000000-0000-0000-0000-000000000000", "y"}, {"not-a-uuid", "y"}, {"%00", "y"},
                {"%ED%A0%80", "y"}, {"%C3%28", "y"}, {"%FF", "y"}, {"..%2F..%2Fhealth", "n"}, {"%2e%2e", "y"},
                {"a".repeat(3000), "y"}, {id.toUpperCase(), "n"}, {"{" + id + "}", "y"}, {id + "%20", "y"},
                {id + ";x=1", "n"}, {other, "y"}, {java.util.UUID.randomUUID().toString(), "y"}, {"-1", "y"},
                {"1e400", "y"}, {id.replace("-", ""), "n"}, {"RAW", "y"}};
        String[] pick = ids[rnd.nextInt(ids.length)];
        if (pick[0].equals("RAW")) { // bytes no client should send in a request line
            byte[] raw = (target(op.path()).substring(0, op.path().indexOf("{id}")) + "x\u00ff\u00e9"
                    + op.path().substring(op.path().indexOf("{id}") + 4)).getBytes(StandardCharsets.ISO_8859_1);
            return b.withRawTarget("path id with raw bytes FF E9", raw, true);
        }
        String description = "path id '" + (pick[0].length() > 60 ? pick[0].length() + " characters" : pick[0]) + "'";
        b.target = op.path().replace("{id}", pick[0]);
        if (pick[0].equals(other)) {
            description = "path id of another player's " + (op.path().startsWith("/api/characters") ? "character"
                    : "session");
        }
        // a malformed id still names the owner's thing on routes whose handler does not read the id
        return b.with(description, b.bodyBytes(), pick[1].equals("y"));
    }

    private Case query(Base b) {
        List<Parameter> declared = op.parameters("query");
        if (!declared.isEmpty() && rnd.nextInt(4) != 0) {
            Parameter p = declared.get(rnd.nextInt(declared.size()));
            boolean integer = "integer".equals(p.schema().get("type"));
            String[] values = integer
                    ? new String[] {"-1", "-5", "abc", "1e3", "99999999999999999999", "", "1.5", "0x10", "%ED%A0%80",
                            "%2B", "9223372036854775808"}
                    : new String[] {"abc", "%ED%A0%80", "YWZ0ZXI6bm90LWEtdXVpZA", "a".repeat(3000), "%00", "%FF%FE",
                            "YWZ0ZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"};
            String v = values[rnd.nextInt(values.length)];
            b.query = "?" + p.name() + "=" + v + (rnd.nextInt(5) == 0 ? "&" + p.name() + "=1" : "");
            boolean refusal = !v.isEmpty() && !(p.name().equals("limit") && v.equals("1"));
            return b.with("query " + p.name() + "='" + (v.length() > 40 ? v.length() + " characters" : v) + "'",
                    b.bodyBytes(), refusal && !v.equals("YWZ0ZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"));
        }
        String[] queries = {"?zz=1", "?%zz", "?a=%ED%A0%80", "?" + "q=".repeat(1) + "x".repeat(9000), "?=&&=", "?a[b]=c",
                "?a=%00"};
        String q = queries[rnd.nextInt(queries.length)];
        b.query = q;
        return b.with("query '" + (q.length() > 40 ? q.length() + " characters" : q) + "'", b.bodyBytes(), false);
    }

    private Case declaredHeader(Base b, Parameter h) {
        byte[][] values = h.name().equals("Idempotency-Key")
                ? new byte[][] {bytes(""), bytes(" "), bytes("k".repeat(129)), bytes("a b"), {(byte) 0xE9},
                        {'k', 1, 'k'}, "🙂".getBytes(StandardCharsets.UTF_8), bytes("k".repeat(9000))}
                : new byte[][] {bytes("-5"), bytes("abc"), bytes("99999999999999999999"), bytes("1e3"), bytes(""),
                        {(byte) 0xFF}, bytes("9223372036854775808")};
        int i = rnd.nextInt(values.length);
        b.header(h.name(), values[i]);
        boolean blank = values[i].length == 0 || h.name().equals("Last-Event-ID") && i == 4;
        return b.with("header " + h.name() + " #" + i, b.bodyBytes(), !blank && op.method().equals("POST")
                || !blank && h.name().equals("Last-Event-ID"));
    }

    private Case header(Base b) {
        String[][] headers = {{"Accept", "text/event-stream;q=abc"}, {"Accept", "garbage"}, {"Accept", "*/*"},
                {"Accept", "application/json"},
                {"Accept", ""}, {"X-Forwarded-For", "not-an-ip"}, {"X-Forwarded-For", "300.1.1.1, ::ffff:zz"},
                {"X-Request-Id", "r".repeat(500)}, {"Cookie", "dm_access=garbage; dm_refresh=%ff"},
                {"Cookie", "=;=;" + "c".repeat(6000)}, {"Origin", "null"}, {"Sec-Fetch-Site", "cross-site"},
                {"Accept-Charset", "utf-16"}, {"Content-Encoding", "gzip"}, {"Expect", "x-ray"},
                {"X-Request-Id", "\u00e9\u00ff"}, {"Forwarded", "for=\"[::1\""}, {"Range", "bytes=9-1"},
                {"If-None-Match", "\"" + "x".repeat(2000) + "\""}};
        String[] h = headers[rnd.nextInt(headers.length)];
        b.header(h[0], h[1].getBytes(StandardCharsets.ISO_8859_1));
        return b.with("header " + h[0] + ": " + (h[1].length() > 40 ? h[1].length() + " characters" : h[1]),
                b.bodyBytes(), false);
    }

    private Case transferEncoding(Base b) {
        byte[] body = b.bodyBytes() == null ? new byte[0] : b.bodyBytes();
        int kind = rnd.nextInt(3);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        switch (kind) {
            case 0 -> { // valid chunking: a request like any other
                chunked.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                chunked.writeBytes(body);
                chunked.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            case 1 -> chunked.writeBytes("zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            default -> { // both framings at once (request smuggling)
                chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                b.header("Content-Length", bytes("5"));
            }
        }
        b.header("Transfer-Encoding", bytes("chunked"));
        String[] names = {"valid chunked encoding", "a chunk size that is not hex", "Transfer-Encoding with Content-Length"};
        // a handler that reads no body never meets a malformed one
        Case c = b.with(names[kind], chunked.toByteArray(), kind == 1 && op.body() != null);
        if (kind != 1) {
            return c;
        }
        // Helidon 4.5 reads on past a chunk size it cannot parse until the input ends; a client
        // that keeps its side open waits for the server's body timeout instead
        RawHttp.Request r = c.request();
        return new Case(c.description(), new RawHttp.Request(r.method(), r.target(), r.headers(), r.body(), true),
                c.mustRefuse());
    }

    private Case unauthenticated(Base b) {
        b.dropHeader("Authorization");
        return b.with("no credentials", b.bodyBytes(), true);
    }

    private Case badCredentials(Base b) {
        String token = op.auth() == Auth.SERVICE ? f.serviceToken() : f.access();
        byte[][] values = {bytes("Bearer"), bytes("Bearer "), bytes("Basic Zm9vOmJhcg=="), bytes("Bearer " + "a".repeat(10_000)),
                bytes("Bearer a.b.c"), {'B', 'e', 'a', 'r', 'e', 'r', ' ', (byte) 0xFF, (byte) 0xFE},
                bytes("Bearer " + token + "x"), bytes("Bearer " + new StringBuilder(token).reverse()),
                bytes("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."), bytes("Token " + token)};
        int i = rnd.nextInt(values.length);
        b.header("Authorization", values[i]);
        return b.with("Authorization #" + i, b.bodyBytes(), true);
    }

    private Case upgrade(Base b) {
        String[] last = {"", "?lastEventId=-5", "?lastEventId=abc", "?lastEventId=99999999999999999999", "?lastEventId=1"};
        String q = last[rnd.nextInt(last.length)];
        boolean version = rnd.nextBoolean();
        boolean key = rnd.nextBoolean();
        b.query = q;
        b.header("Connection", bytes("Upgrade"));
        b.header("Upgrade", bytes("websocket"));
        b.header("Sec-WebSocket-Version", bytes(version ? "13" : "99"));
        b.header("Sec-WebSocket-Key", bytes(key ? "dGhlIHNhbXBsZSBub25jZQ==" : "short"));
        boolean badResume = !q.isEmpty() && !q.endsWith("=1");
        return b.with("WebSocket upgrade" + q + (version ? "" : ", version 99") + (key ? "" : ", a key of 3 bytes"),
                null, badResume || !key || !version);
    }

    private Case streamed(Base b) {
        b.header("Accept", bytes("text/event-stream"));
        if (b.body != null) {
            String at = slot(b, textPaths(b.body));
            String[] values = {"\"\"", "\"   \"", "\"" + "x".repeat(4001) + "\"", "\"a\\ud800\"", "\"a\\u0000\"", "null",
                    "42"};
            String v = values[rnd.nextInt(values.length)];
            return b.with("streamed, " + (v.length() > 20 ? v.length() + " characters" : v) + " at " + at,
                    fill(b, v), true);
        }
        return b.with("streamed", null, false);
    }

    // ---------------------------------------------------------------- helpers

    private static List<List<Object>> textPaths(JsonNode body) {
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> p : paths(body)) {
            if (node(body, p).isTextual()) {
                out.add(p);
            }
        }
        return out;
    }

    private static JsonNode node(JsonNode root, List<Object> path) {
        JsonNode n = root;
        for (Object step : path) {
            n = step instanceof String s ? n.get(s) : n.get((Integer) step);
        }
        return n;
    }

    private static byte[] write(JsonNode node) {
        try {
            return Http.MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no slot in the body");
    }
}
