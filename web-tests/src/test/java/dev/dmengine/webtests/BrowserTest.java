package dev.dmengine.webtests;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A browser test class: one reference server and browser ({@link GuiFixture}) for the class,
 * a fresh browser context and page for each test.
 */
abstract class BrowserTest {

    static GuiFixture gui;
    BrowserContext ctx;
    Page page;

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
    }

    @AfterEach
    void closePage() {
        ctx.close();
    }
}
