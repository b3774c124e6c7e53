package dev.dmengine.webtests;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A browser test class: one reference server and browser ({@link GuiFixture}) for the class,
 * a fresh browser context and page for each test. Every test also holds the GUI to the
 * server's Content-Security-Policy: a violation the browser reports fails it.
 */
abstract class BrowserTest {

    static GuiFixture gui;
    BrowserContext ctx;
    Page page;
    final List<String> cspViolations = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startGui() {
        gui = new GuiFixture(Map.of());
    }

    @AfterAll
    static void stopGui() {
        if (gui != null) {
            gui.close();
            gui = null;
        }
    }

    @BeforeEach
    void openPage() {
        ctx = gui.context();
        page = ctx.newPage();
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy")) {
                cspViolations.add(m.text());
            }
        });
    }

    @AfterEach
    void closePage() {
        try {
            assertThat(cspViolations).as("Content-Security-Policy violations").isEmpty();
        } finally {
            ctx.close();
        }
    }
}
