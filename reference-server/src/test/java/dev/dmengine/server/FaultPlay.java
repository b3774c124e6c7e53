package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Plays turns over HTTP for the fault suites and says how each one ended, in the terms the
 * suites judge: completed, failed with a reason, refused before it started (a problem+json
 * answer), or broken (a 5xx other than 503, a stream without a terminal event, a stuck turn).
 */
final class FaultPlay {

    /** How one turn ended, as the client saw it. */
    enum Kind { COMPLETED, FAILED, REFUSED, BROKEN }

    /**
     * @param reason        turn.failed's reason, the failed job's error, the problem's detail, or
     *                      what was broken
     * @param status        the HTTP status of the POST (200 streamed, 202 queued, or the problem's)
     * @param turnId        the turn's id when it started (from turn.started or the job's result)
     * @param dmMessageId   the stored DM message of a completed turn
     * @param dmContent     the DM reply a streamed completed turn announced
     * @param streamed      the text of the token events the client received, joined ("" if none)
     */
    record Outcome(Kind kind, boolean queued, String text, String reason, int status, String turnId,
                   String dmMessageId, String dmContent, String streamed, String jobId, long startedNanos,
                   long endedNanos) {

        boolean completed() {
            return kind == Kind.COMPLETED;
        }

        /** Whether any of the reply reached the player before the turn ended. */
        boolean showedTokens() {
            return !streamed.isEmpty();
        }

        @Override
        public String toString() {
            return kind + (queued ? " (queued)" : "") + " '" + text + "' status=" + status
                    + (reason == null ? "" : " reason=" + reason) + (turnId == null ? "" : " turn=" + turnId);
        }
    }

    private static final Duration STUCK = Duration.ofSeconds(90);

    private final TestServer server;

    FaultPlay(TestServer server) {
        this.server = server;
    }

    /** Plays a turn streamed on its own POST ({@code Accept: text/event-stream}). */
    Outcome streamed(TestServer.Player p, String session, String text) {
        long start = System.nanoTime();
        HttpRequest request = server.request("/api/sessions/" + session + "/messages", p.access())
                .timeout(STUCK)
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .header("X-Forwarded-For", p.ip())
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("text", text)))).build();
        HttpResponse<Stream<String>> r;
        try {
            r = server.http.send(request, HttpResponse.BodyHandlers.ofLines());
        } catch (HttpTimeoutException e) {
            return broken(false, text, 0, "no answer within " + STUCK, start);
        } catch (IOException e) {
            return broken(false, text, 0, "the connection failed: " + e, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() != 200 || !type.startsWith("text/event-stream")) {
            String body;
            try (Stream<String> lines = r.body()) {
                body = String.join("\n", lines.toList());
            }
            return refusal(false, text, r.statusCode(), type, body, start);
        }
        Stream<String> lines = r.body();
        CompletableFuture<List<SseReader.Event>> read = CompletableFuture.supplyAsync(() -> readTurn(lines),
                command -> Thread.ofVirtual().start(command));
        List<SseReader.Event> events;
        try {
            events = read.get(STUCK.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            lines.close();
            return broken(false, text, 200, "the stream had no terminal event within " + STUCK, start);
        } catch (ExecutionException e) {
            return broken(false, text, 200, "the stream broke: " + e.getCause(), start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lines.close();
        }
        return fromEvents(text, events, start);
    }

    private static List<SseReader.Event> readTurn(Stream<String> lines) {
        SseReader reader = new SseReader(lines);
        List<SseReader.Event> out = new ArrayList<>();
        SseReader.Event e;
        while ((e = reader.next()) != null) {
            if (e.name().equals("heartbeat")) {
                continue;
            }
            out.add(e);
            if (e.name().equals("turn.completed") || e.name().equals("turn.failed")) {
                break;
            }
        }
        return out;
    }

    private static Outcome fromEvents(String text, List<SseReader.Event> events, long start) {
        long end = System.nanoTime();
        String turnId = null;
        String dmId = null;
        String dmContent = null;
        StringBuilder streamed = new StringBuilder();
        for (SseReader.Event e : events) {
            switch (e.name()) {
                case "turn.started" -> turnId = e.json().path("turnId").asText(null);
                case "token" -> streamed.append(e.json().path("text").asText(""));
                case "dm.message" -> {
                    dmId = e.json().path("messageId").asText(null);
                    dmContent = e.json().path("content").asText(null);
                }
                default -> { }
            }
        }
        SseReader.Event last = events.isEmpty() ? null : events.getLast();
        if (last == null || !(last.name().equals("turn.completed") || last.name().equals("turn.failed"))) {
            return new Outcome(Kind.BROKEN, false, text, "the stream ended without turn.completed or turn.failed: "
                    + events.stream().map(SseReader.Event::name).toList(), 200, turnId, dmId, dmContent, streamed.toString(),
                    null, start, end);
        }
        if (last.name().equals("turn.completed")) {
            return new Outcome(Kind.COMPLETED, false, text, null, 200, turnId,
                    last.json().path("dmMessageId").asText(dmId), dmContent, streamed.toString(), null, start, end);
        }
        return new Outcome(Kind.FAILED, false, text, last.json().path("reason").asText(""), 200, turnId, null, null,
                streamed.toString(), null, start, end);
    }

    /** Plays a turn through the job queue ({@code 202 Accepted}) and polls the job until it ends. */
    Outcome queued(TestServer.Player p, String session, String text, Duration patience) {
        long start = System.nanoTime();
        TestServer.Response r;
        try {
            r = server.send(server.request("/api/sessions/" + session + "/messages", p.access())
                    .header("Content-Type", "application/json").header("X-Forwarded-For", p.ip())
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("text", text)))).build());
        } catch (UncheckedIOException e) {
            return broken(true, text, 0, "the connection failed: " + e.getCause(), start);
        }
        if (r.status() != 202) {
            return refusal(true, text, r.status(), String.valueOf(r.contentType()), r.body(), start);
        }
        String jobId = r.json().get("jobId").asText();
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() - deadline < 0) {
            TestServer.Response s;
            try {
                s = server.get("/api/jobs/" + jobId, p.access());
            } catch (UncheckedIOException e) {
                pause(100);
                continue;
            }
            if (s.status() == 200) {
                JsonNode job = s.json();
                String state = job.get("state").asText();
                if (state.equals("succeeded")) {
                    return new Outcome(Kind.COMPLETED, true, text, null, 202, job.at("/result/turnId").asText(null),
                            job.at("/result/dmMessageId").asText(null), null, "", jobId, start, System.nanoTime());
                }
                if (state.equals("failed")) {
                    JsonNode error = job.get("error");
                    return new Outcome(Kind.FAILED, true, text, error == null ? "" : error.isTextual() ? error.asText()
                            : error.toString(), 202, null, null, null, "", jobId, start, System.nanoTime());
                }
            } else if (s.status() != 503) { // 503 while the database is down: ask again
                return broken(true, text, s.status(), "GET /api/jobs/" + jobId + " answered " + s.status() + ": "
                        + s.body(), start);
            }
            pause(50);
        }
        return new Outcome(Kind.BROKEN, true, text, "job " + jobId + " did not end within " + patience, 202, null,
                null, null, "", jobId, start, System.nanoTime());
    }

    /** The session's whole transcript as the player reads it, page by page. */
    List<JsonNode> transcript(TestServer.Player p, String session) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        do {
            TestServer.Response page = server.get("/api/sessions/" + session + "/messages?limit=100"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)),
                    p.access());
            if (page.status() != 200) {
                throw new AssertionError("the transcript of " + session + ": " + page);
            }
            page.json().get("items").forEach(items::add);
            cursor = page.json().path("nextCursor").isTextual() ? page.json().get("nextCursor").asText() : null;
        } while (cursor != null);
        return items;
    }

    private static Outcome refusal(boolean queued, String text, int status, String type, String body, long start) {
        if (!type.startsWith("application/problem+json")) {
            return broken(queued, text, status, "answered " + status + " as " + type + ": " + body, start);
        }
        String detail;
        try {
            detail = Http.MAPPER.readTree(body).path("detail").asText("");
        } catch (IOException e) {
            return broken(queued, text, status, "a problem that is not JSON: " + body, start);
        }
        if (status >= 500 && status != 503) {
            return broken(queued, text, status, "answered " + status + ": " + detail, start);
        }
        return new Outcome(Kind.REFUSED, queued, text, detail, status, null, null, null, "", null, start,
                System.nanoTime());
    }

    private static Outcome broken(boolean queued, String text, int status, String why, long start) {
        return new Outcome(Kind.BROKEN, queued, text, why, status, null, null, null, "", null, start,
                System.nanoTime());
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ readable reasons

    private static final List<Map.Entry<String, Pattern>> UNREADABLE = List.of(
            Map.entry("a Java class name", Pattern.compile("\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b")),
            Map.entry("a package name", Pattern.compile("\\b(java|javax|jdk|sun|org|com|io|dev)\\.[a-z0-9_]+\\.")),
            Map.entry("a stack frame", Pattern.compile("\\bat [\\w.$]+\\(|\\.java:\\d+")),
            Map.entry("SQL", Pattern.compile("(?i)\\b(select\\s.+\\sfrom|insert\\s+into|update\\s+\\S+\\s+set|"
                    + "delete\\s+from|returning|clock_timestamp|where\\s+\\w+\\s*=)")),
            Map.entry("an SQLSTATE", Pattern.compile("\\b[0-9][0-9A-Z]{4}:|(?i)sql ?state")),
            Map.entry("a driver or pool name", Pattern.compile("(?i)jdbc|hikari|psql|jdbi|pgjdbc")),
            Map.entry("a network address", Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}(:\\d+)?\\b|localhost:\\d+")));

    /** What makes {@code reason} unfit for a player to read; empty when it is fine. */
    static List<String> unreadable(String reason) {
        List<String> problems = new ArrayList<>();
        if (reason == null || reason.isBlank()) {
            problems.add("it is empty");
            return problems;
        }
        if (reason.length() > 300) {
            problems.add("it is " + reason.length() + " characters long");
        }
        if (reason.contains("\n") || reason.contains("\t")) {
            problems.add("it spans lines");
        }
        for (Map.Entry<String, Pattern> rule : UNREADABLE) {
            var m = rule.getValue().matcher(reason);
            if (m.find()) {
                problems.add("it contains " + rule.getKey() + " ('" + m.group() + "')");
            }
        }
        return problems;
    }
}
