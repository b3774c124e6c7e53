package dev.dmengine.webtests;

import dev.dmengine.testkit.S3ProxyProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Portraits and exports against S3Proxy (a real S3 API server, run by scripts/s3proxy.sh) with
 * CORS for the GUI's origin only: the browser PUTs across origins to the store and shows
 * portraits from it, and the server's Content-Security-Policy names the store.
 */
class PortraitAndExportS3IT extends AssetsBrowserCases {

    static S3ProxyProcess s3;

    @BeforeAll
    static void startGui() { // hides BrowserTest's: the GUI needs the store first
        int port = GuiFixture.freePort();
        s3 = S3ProxyProcess.start(List.of("http://127.0.0.1:" + port));
        try {
            gui = new GuiFixture(Map.of("dm.server.port", Integer.toString(port),
                    "dm.s3.endpoint", s3.endpoint(),
                    "dm.s3.access-key", S3ProxyProcess.ACCESS_KEY,
                    "dm.s3.secret-key", S3ProxyProcess.SECRET_KEY,
                    "dm.s3.region", "garage"));
            // every request of a context would carry the fixture's X-Forwarded-For, which a browser then
            // asks the store's CORS rules to allow; one player per test needs no address of its own
            gui.clientAddresses = false;
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
    }

    @AfterAll
    static void stopGui() {
        try {
            if (gui != null) {
                gui.close();
                gui = null;
            }
        } finally {
            s3.close();
        }
    }

    @Override
    String shots() {
        return "assets-s3-";
    }

    @Test
    void thePagesPolicyLetsTheBrowserReachTheStoreAndNothingElse() {
        page.navigate(gui.base + "/");
        String csp = page.evaluate("async () => (await fetch('/')).headers.get('Content-Security-Policy')").toString();
        assertThat(csp).contains("connect-src 'self' " + s3.endpoint() + ";")
                .contains("img-src 'self' data: " + s3.endpoint() + ";")
                .contains("script-src 'self';");
    }
}
