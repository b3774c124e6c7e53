package dev.dmengine.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy, in which case
 * {@code CF-Connecting-IP} or else the right-most untrusted hop of {@code X-Forwarded-For}.
 * Headers from an untrusted peer are ignored, so a client cannot choose its own address.
 */
final class ClientIps {

    private final List<Cidr> trusted;

    ClientIps(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    String resolve(SocketAddress peer, List<String> forwardedFor, Optional<String> cfConnectingIp) {
        InetAddress peerAddress = peer instanceof InetSocketAddress isa ? isa.getAddress() : null;
        String peerText = peerAddress == null ? "unknown" : peerAddress.getHostAddress();
        if (peerAddress == null || !isTrusted(peerAddress)) {
            return peerText;
        }
        Optional<InetAddress> cf = cfConnectingIp.flatMap(Cidr::literal);
        if (cf.isPresent()) {
            return cf.get().getHostAddress();
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String part : header.split(",")) {
                if (!part.isBlank()) {
                    hops.add(part.strip());
                }
            }
        }
        String leftmost = null;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = Cidr.literal(hops.get(i));
            if (hop.isEmpty()) {
                break; // garbage from here on: trust nothing further left
            }
            if (!isTrusted(hop.get())) {
                return hop.get().getHostAddress();
            }
            leftmost = hop.get().getHostAddress();
        }
        return leftmost != null ? leftmost : peerText;
    }

    private boolean isTrusted(InetAddress address) {
        for (Cidr c : trusted) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
