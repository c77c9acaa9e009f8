package dev.gannet.loadtest;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressGuardTest {

    @Test
    void refusesAPublicAddressWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AddressGuard.check("http://8.8.8.8:8080", false));
        assertTrue(e.getMessage().contains("8.8.8.8") && e.getMessage().contains("--allow-remote"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AddressGuard.check("http://[2001:4860:4860::8888]/", false));
    }

    @Test
    void allowsLoopbackAndPrivateAddresses() {
        for (String url : new String[] {"http://127.0.0.1:8080", "http://localhost:8000/v1", "http://10.1.2.3",
                "http://172.16.0.9:80", "http://192.168.1.20:8080", "http://[::1]:8080", "http://[fd12::1]:80",
                "http://169.254.3.4"}) {
            assertDoesNotThrow(() -> AddressGuard.check(url, false), url);
        }
    }

    @Test
    void allowRemoteLetsAPublicAddressThrough() {
        assertDoesNotThrow(() -> AddressGuard.check("http://8.8.8.8:8080", true));
    }

    @Test
    void classifiesAddresses() throws Exception {
        assertTrue(AddressGuard.isLocalOrPrivate(InetAddress.getByName("10.0.0.1")));
        assertFalse(AddressGuard.isLocalOrPrivate(InetAddress.getByName("172.32.0.1")));
        assertFalse(AddressGuard.isLocalOrPrivate(InetAddress.getByName("1.1.1.1")));
    }

    @Test
    void rejectsUrlsThatAreNotHttp() {
        assertThrows(IllegalArgumentException.class, () -> AddressGuard.check("ftp://127.0.0.1/", false));
        assertThrows(IllegalArgumentException.class, () -> AddressGuard.check("127.0.0.1:8080", false));
    }
}
