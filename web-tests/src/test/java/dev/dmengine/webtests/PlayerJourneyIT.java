package dev.dmengine.webtests;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new player in a real browser: registers, logs in, creates a character, starts a session,
 * plays three turns watching each reply stream in, sees a roll, reloads and finds the whole
 * transcript; the event stream comes back after it drops. Screenshots of each page go to
 * {@code target/screenshots}.
 */
class PlayerJourneyIT extends BrowserTest {

    private static final double LONG = 30_000;

    @Test
    void aNewPlayerPlaysThreeStreamedTurnsAndFindsThemAfterAReload() {
        String email = "aria-" + System.nanoTime() + "@example.org";
        String password = "amber lantern over the moor " + System.nanoTime();

        page.navigate(gui.base + "/");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Log in"))).isVisible();
        gui.screenshot(page, "01-login");

        // register
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Create an account")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Create an account"))).isVisible();
        page.getByLabel("Display name").fill("Aria");
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        gui.screenshot(page, "02-register");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create account")).click();

        // log in (the email is filled in already)
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Log in"))).isVisible();
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("account is ready");
        assertThat(page.getByLabel("Email")).hasValue(email);
        page.getByLabel("Password").fill(password);
        page.getByLabel("Password").press("Enter");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your sessions"))).isVisible();
        assertThat(page.locator("#who")).containsText("Aria");
        gui.screenshot(page, "03-sessions-empty");

        // the character form checks its fields like the API does
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Characters")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your characters"))).isVisible();
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Create a character")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Create a character"))).isVisible();
        page.getByLabel("Level").fill("25");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add an item")).click();
        page.getByLabel("Item id").fill("Rusty Key");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create character")).click();
        assertThat(page.locator("#" + page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true))
                .getAttribute("id") + "-error")).containsText("must not be empty");
        assertThat(page.getByLabel("Level")).hasAttribute("aria-invalid", "true");
        assertThat(page.locator(".item-row .field-error").first()).containsText("slug");
        gui.screenshot(page, "04-character-form-errors");
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Brienne");
        page.getByLabel("Class").selectOption("rogue");
        page.getByLabel("Level").fill("1");
        page.getByLabel("Item id").fill("rusty-key");
        page.getByLabel("Item name").fill("Rusty key");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create character")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your characters"))).isVisible();
        Locator card = page.locator("[data-character]").filter(new Locator.FilterOptions().setHasText("Brienne"));
        assertThat(card).containsText("Level 1 rogue");
        assertThat(card).containsText("Rusty key");
        gui.screenshot(page, "05-characters");

        // edit: the inventory gains a stack
        card.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Edit Brienne")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit Brienne"))).isVisible();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add an item")).click();
        page.getByLabel("Item id").last().fill("torch");
        page.getByLabel("Item name").last().fill("Torch");
        page.getByLabel("Quantity").last().fill("3");
        gui.screenshot(page, "06-character-edit");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save changes")).click();
        assertThat(card).containsText("Torch ×3");

        // a session
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sessions")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your sessions"))).isVisible();
        page.getByLabel("Title (optional)").fill("The sunken keep");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start session")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("The sunken keep"))).isVisible();
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live", new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(page.locator("#character-panel")).containsText("Brienne");
        assertThat(page.locator("#hp-value")).hasText(Pattern.compile("\\d+/\\d+"));
        assertThat(page.locator("#inventory")).containsText("Rusty key");
        gui.screenshot(page, "07-play-empty");

        // three turns, each streamed
        List<String> moves = List.of("I look around the tavern", "I sneak past the guard", "I open the heavy door");
        for (int i = 0; i < moves.size(); i++) {
            playStreamedTurn(moves.get(i), i);
        }
        // the sneak asked for a stealth check: its roll shows as an item of that turn
        String sneakTurn = page.locator("#transcript .msg-player").nth(1).getAttribute("data-turn");
        assertThat(sneakTurn).isNotBlank();
        assertThat(page.locator("#transcript .msg-roll[data-turn='" + sneakTurn + "']").first())
                .containsText(Pattern.compile("1d20[+-]\\d+ = \\[\\d+\\]"));
        gui.screenshot(page, "08-play-three-turns");

        List<String> players = page.locator("#transcript .msg-player .text").allTextContents();
        List<String> dms = page.locator("#transcript .msg-dm .text").allTextContents();
        assertThat(players).containsExactlyElementsOf(moves);
        assertThat(dms).hasSize(3).allSatisfy(t -> assertThat(t).isNotBlank());

        // reload: the whole transcript is back
        page.reload();
        assertThat(page.locator("#transcript .msg-dm")).hasCount(3);
        assertThat(page.locator("#transcript .msg-player .text")).hasText(moves.toArray(String[]::new));
        assertThat(page.locator("#transcript .msg-dm .text")).hasText(dms.toArray(String[]::new));
        assertThat(page.locator("#transcript .msg-roll[data-turn='" + sneakTurn + "']").first())
                .containsText(Pattern.compile("check stealth .*DC 13"));
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live");
        gui.screenshot(page, "09-play-after-reload");

        // phone width
        page.setViewportSize(390, 844);
        assertThat(page.locator("#say")).isVisible();
        gui.screenshot(page, "10-play-phone");
        page.setViewportSize(1280, 900);

        // log out
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log out")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Log in"))).isVisible();
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("logged out");
        page.navigate(gui.base + "/#/sessions");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Log in"))).isVisible();
    }

    /**
     * Sends a move with the keyboard and records every change of the newest DM bubble: the reply
     * must grow over several updates while it is still streaming, then be marked done.
     */
    private void playStreamedTurn(String move, int index) {
        page.evaluate("""
                () => {
                  window.__samples = [];
                  if (window.__observer) window.__observer.disconnect();
                  const t = document.getElementById('transcript');
                  window.__observer = new MutationObserver(() => {
                    const b = [...t.querySelectorAll('.msg-dm')].pop();
                    if (b) window.__samples.push({ n: t.querySelectorAll('.msg-dm').length,
                      len: b.querySelector('.text').textContent.length, state: b.dataset.state || '' });
                  });
                  window.__observer.observe(t, { subtree: true, childList: true, characterData: true });
                }""");
        page.locator("#say").fill(move);
        page.locator("#say").press("Enter");
        assertThat(page.locator("#typing")).isVisible();
        Locator dm = page.locator("#transcript .msg-dm").nth(index);
        assertThat(dm).hasAttribute("data-state", "done",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(page.locator("#typing")).isHidden();
        assertThat(page.locator("#say")).isFocused();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> samples = (List<Map<String, Object>>) page.evaluate("() => window.__samples");
        List<Integer> streaming = samples.stream()
                .filter(s -> ((Number) s.get("n")).intValue() == index + 1 && "streaming".equals(s.get("state")))
                .map(s -> ((Number) s.get("len")).intValue()).distinct().toList();
        assertThat(streaming).as("lengths of the DM reply to '%s' seen while it streamed", move).hasSizeGreaterThan(3);
        // token by token: the first updates only ever add text (the stored reply replaces it at the end)
        assertThat(streaming.subList(0, 4)).isSorted().doesNotHaveDuplicates();
        assertThat(dm.locator(".text").textContent()).isNotBlank();
    }

    @Test
    void theEventStreamReconnectsWithLastEventIdAndMissesNothing() {
        String email = "bram-" + System.nanoTime() + "@example.org";
        String password = "copper kettle under the stairs " + System.nanoTime();
        gui.register(page, "Bram", email, password);
        logIn(page, email, password);
        String characterId = createCharacterByApi("Bram", "fighter");
        String sessionId = post("/api/sessions", "{\"characterId\":\"" + characterId + "\",\"title\":\"Reconnect\"}");
        page.navigate(gui.base + "/#/play/" + sessionId);
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));

        // a turn played elsewhere (another tab) shows here; the stream drops in the middle of it
        String job = postRaw("/api/sessions/" + sessionId + "/messages", "{\"text\":\"I listen at the door\"}");
        assertThat(job).contains("jobId");
        Locator dm = page.locator("#transcript .msg-dm").first();
        assertThat(dm).hasAttribute("data-state", "streaming",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        page.evaluate("() => window.dmDropStream()");
        assertThat(page.locator("#connection")).hasAttribute("data-state", "reconnecting");
        gui.screenshot(page, "11-play-reconnecting");
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(dm).hasAttribute("data-state", "done",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(page.locator("#transcript .msg-player .text")).hasText(new String[]{"I listen at the door"});
        String live = dm.locator(".text").textContent();

        page.reload();
        assertThat(page.locator("#transcript .msg-dm .text")).hasText(new String[]{live});
    }

    @Test
    void theCharacterPanelFollowsTheTurnAndARefusedTurnCanBeTriedAgain() {
        String email = "cass-" + System.nanoTime() + "@example.org";
        String password = "willow basket at the ford " + System.nanoTime();
        gui.register(page, "Cass", email, password);
        logIn(page, email, password);
        String characterId = createCharacterByApi("Cass", "cleric");
        String sessionId = post("/api/sessions", "{\"characterId\":\"" + characterId + "\",\"title\":\"Potions\"}");

        // the API's own field errors show next to the fields they name (the request is altered on
        // its way, past the form's checks, so that the server is the one refusing it)
        page.navigate(gui.base + "/#/characters/" + characterId);
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit Cass"))).isVisible();
        page.route("**/api/characters/*", route -> {
            if (route.request().method().equals("PUT")) {
                route.resume(new com.microsoft.playwright.Route.ResumeOptions()
                        .setPostData(route.request().postData().replaceFirst("\"str\":\\d+", "\"str\":31")));
            } else {
                route.resume();
            }
        });
        page.getByLabel("Strength").fill("12");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save changes")).click();
        assertThat(page.getByLabel("Strength")).hasAttribute("aria-invalid", "true");
        assertThat(page.locator("#" + page.getByLabel("Strength").getAttribute("id") + "-error"))
                .containsText("must be 1 to 30, was 31");
        assertThat(page.getByRole(AriaRole.ALERT).first()).containsText("marked field");
        gui.screenshot(page, "14-character-server-errors");
        page.unrouteAll();

        page.navigate(gui.base + "/#/play/" + sessionId);
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        Locator potions = page.locator("#inventory [data-item='healing-potion']");
        assertThat(potions).hasText("Potion of Healing ×2");

        // the server refuses the first attempt (as a busy server would): the player can try again
        page.route("**/api/sessions/*/messages", route -> {
            if (route.request().method().equals("POST")) {
                route.fulfill(new com.microsoft.playwright.Route.FulfillOptions().setStatus(503)
                        .setHeaders(Map.of("Content-Type", "application/problem+json", "Retry-After", "5"))
                        .setBody("{\"type\":\"https://dmengine.dev/problems/unavailable\",\"title\":\"Service unavailable\","
                                + "\"status\":503,\"detail\":\"the model is overloaded\"}"));
            } else {
                route.resume();
            }
        });
        page.locator("#say").fill("I drink a potion");
        page.locator("#say").press("Enter");
        Locator refused = page.locator("#transcript .msg-error");
        assertThat(refused).containsText("the model is overloaded");
        assertThat(refused).containsText("Try again in 5 s");
        assertThat(page.locator("#typing")).isHidden();
        gui.screenshot(page, "12-play-turn-refused");
        page.unrouteAll();
        refused.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Try again")).click();

        // the retried turn plays: the potion is used up live, the panel shows one left
        Locator dm = page.locator("#transcript .msg-dm").first();
        assertThat(dm).hasAttribute("data-state", "done",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(refused).hasCount(0);
        assertThat(page.locator("#transcript .msg-player .text")).hasText(new String[]{"I drink a potion"});
        assertThat(page.locator("#transcript .msg-state")).containsText(new String[]{"Potion of Healing: 2 → 1"});
        assertThat(potions).hasText("Potion of Healing");
        gui.screenshot(page, "13-play-potion");

        // a turn that fails (the model gave up): the reason, and Try again asks for a new reply
        page.route("**/api/sessions/*/messages", route -> {
            if (route.request().method().equals("POST")) {
                route.fulfill(new com.microsoft.playwright.Route.FulfillOptions().setStatus(200)
                        .setHeaders(Map.of("Content-Type", "text/event-stream"))
                        .setBody("event: turn.failed\ndata: {\"turnId\":\"00000000-0000-7000-8000-000000000001\","
                                + "\"reason\":\"the storyteller lost the thread (model timed out)\",\"retriable\":true}\n\n"));
            } else {
                route.resume();
            }
        });
        page.locator("#say").fill("I search the room");
        page.locator("#say").press("Enter");
        Locator failed = page.locator("#transcript .msg-failed");
        assertThat(failed).containsText("model timed out");
        assertThat(page.locator("#typing")).isHidden();
        Locator tryAgain = failed.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Try again"));
        assertThat(tryAgain).isFocused();
        gui.screenshot(page, "15-play-turn-failed");
        page.unrouteAll();
        page.keyboard().press("Enter"); // keyboard only: the focused Try again
        // the new reply answers the latest stored message (the failed one never reached the server here)
        // and replaces the reply it had. The old reply is "done" until the new turn starts, so wait for
        // the turn itself to end (the typing indicator shows from the key press to turn.completed).
        assertThat(failed).hasCount(0);
        assertThat(page.locator("#typing")).isHidden(
                new com.microsoft.playwright.assertions.LocatorAssertions.IsHiddenOptions().setTimeout(LONG));
        Locator reply = page.locator("#transcript .msg-dm");
        assertThat(reply).hasCount(1);
        assertThat(reply).hasAttribute("data-state", "done",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(reply).containsText("drink a potion");
        String regenerated = reply.locator(".text").textContent();
        page.reload();
        assertThat(page.locator("#transcript .msg-player .text")).hasText(new String[]{"I drink a potion"});
        assertThat(page.locator("#transcript .msg-dm .text")).hasText(new String[]{regenerated});
    }

    @Test
    void aSessionOpenInTooManyTabsWaitsForAPlaceAndSaysWhy() {
        String email = "dara-" + System.nanoTime() + "@example.org";
        String password = "pewter lantern by the well " + System.nanoTime();
        gui.register(page, "Dara", email, password);
        logIn(page, email, password);
        String characterId = createCharacterByApi("Dara", "wizard");
        String sessionId = post("/api/sessions", "{\"characterId\":\"" + characterId + "\",\"title\":\"Tabs\"}");
        var live = new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG);
        java.util.List<Page> tabs = new java.util.ArrayList<>(java.util.List.of(page));
        for (int i = 0; i < 4; i++) { // four streams per session is the default cap
            Page tab = i == 0 ? page : ctx.newPage();
            tab.navigate(gui.base + "/#/play/" + sessionId);
            assertThat(tab.locator("#connection")).hasAttribute("data-state", "live", live);
            if (i > 0) {
                tabs.add(tab);
            }
        }
        Page fifth = ctx.newPage();
        fifth.navigate(gui.base + "/#/play/" + sessionId);
        assertThat(fifth.locator("#connection")).hasAttribute("data-state", "reconnecting", live);
        assertThat(fifth.locator("#connection")).containsText("too many tabs");
        gui.screenshot(fifth, "22-play-too-many-tabs");

        tabs.get(1).close(); // a place comes free: the waiting tab takes it after Retry-After
        assertThat(fifth.locator("#connection")).hasAttribute("data-state", "live", live);
    }

    // ---------------------------------------------------------------- helpers

    static void logIn(Page page, String email, String password) {
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your sessions"))).isVisible();
    }

    private String createCharacterByApi(String name, String cls) {
        return post("/api/characters", "{\"name\":\"" + name + "\",\"characterClass\":\"" + cls + "\"}");
    }

    /** POSTs JSON with the page's cookies (as a same-origin fetch would) and answers the id. */
    private String post(String path, String json) {
        String body = postRaw(path, json);
        var m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        assertThat(m.find()).as("an id in %s", body).isTrue();
        return m.group(1);
    }

    private String postRaw(String path, String json) {
        Object body = page.evaluate("""
                async ([path, json]) => {
                  const r = await fetch(path, { method: 'POST', credentials: 'same-origin',
                    headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: json });
                  return r.status + ' ' + await r.text();
                }""", List.of(path, json));
        String s = String.valueOf(body);
        assertThat(s).matches("^20[12] .*");
        return s.substring(4);
    }
}
