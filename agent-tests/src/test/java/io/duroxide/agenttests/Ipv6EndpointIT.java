package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The start-up line's URL is one a client can use as printed, also for an IPv6 bind address. */
class Ipv6EndpointIT {
    @Test
    void anIpv6HostIsPrintedInBracketsAndTheUrlAnswers() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "this machine cannot bind ::1 (no IPv6 loopback); skipped");
        try (ChildJvm child = ChildJvm.builder().name("ipv6").metricsOnFreePort()
                .env("DUROXIDE_METRICS_HOST", "::1")
                .classpath(ChildJvm.CHILD_CLASSES.toString()).main("io.duroxide.agenttests.apps.NoEngineApp").start()) {
            String line = child.awaitLine(l -> l.startsWith("[duroxide-agent] metrics "), Duration.ofSeconds(60));
            Matcher url = Pattern.compile("http://\\S+").matcher(line);
            assertThat(url.find()).as(line).isTrue();
            assertThat(url.group()).matches("http://\\[::1\\]:\\d+/metrics");
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url.group())).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
