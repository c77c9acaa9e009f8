package dev.gannet.loadtest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Refuses to aim load at anything but loopback and private addresses unless the user says so:
 * a load test against someone else's server is an attack.
 */
public final class AddressGuard {

    private AddressGuard() {
    }

    /** Throws {@link IllegalArgumentException} with a clear message when {@code url} may not be used. */
    public static void check(String url, boolean allowRemote) {
        URI uri = URI.create(url);
        String host = uri.getHost();
        if (host == null || uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("bad server URL '" + url + "': expected http://HOST[:PORT]");
        }
        if (allowRemote) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "' of " + url, e);
        }
        for (InetAddress a : addresses) {
            if (!isLocalOrPrivate(a)) {
                throw new IllegalArgumentException("refusing to load-test " + url + ": " + host + " resolves to "
                        + a.getHostAddress() + ", which is not a loopback or private address;"
                        + " pass --allow-remote if this server is yours");
            }
        }
    }

    /** Loopback, unspecified, link-local, RFC 1918 (10/8, 172.16/12, 192.168/16) or IPv6 ULA (fc00::/7). */
    public static boolean isLocalOrPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()) {
            return true;
        }
        // isSiteLocalAddress covers RFC 1918 for IPv4 but only the deprecated fec0::/10 for IPv6.
        return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    }
}
