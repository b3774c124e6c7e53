package dev.dmengine.examples.jersey;

import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.FilterChainEvent;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpEvents;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * Lets Grizzly answer a request that offers {@code Upgrade: h2c} as the plain HTTP/1.1 request it
 * also is. The JDK's {@code HttpClient} (and {@code curl --http2}) offers that upgrade on plain
 * {@code http://} by default; Grizzly without its HTTP/2 add-on takes any {@code Upgrade} for a
 * protocol switch, and then reads the body without its length, drops the response's
 * {@code Content-Type} and closes the connection (glassfish-grizzly issues 1972 and 2192). This
 * filter, right after the HTTP codec, declines the offer before the body is read.
 */
final class IgnoreH2cUpgrade implements AddOn {

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder chain) {
        chain.add(chain.indexOfType(HttpServerFilter.class) + 1, new BaseFilter() {
            @Override
            public NextAction handleEvent(FilterChainContext ctx, FilterChainEvent event) {
                if (event.type() == HttpEvents.IncomingHttpUpgradeEvent.TYPE) {
                    HttpHeader request = ((HttpEvents.IncomingHttpUpgradeEvent) event).getHttpHeader();
                    if ("h2c".equalsIgnoreCase(request.getUpgrade())) {
                        request.getUpgradeDC().recycle();
                        request.getHeaders().removeHeader("Upgrade");
                        request.setIgnoreContentModifiers(false);
                        return ctx.getStopAction();
                    }
                }
                return ctx.getInvokeAction();
            }
        });
    }
}
