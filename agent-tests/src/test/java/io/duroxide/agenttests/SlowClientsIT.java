package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Clients that connect to the endpoint and never finish their request (raw sockets: a request line cut short, a
 * request line and a header without the blank line, one that trickles a header byte by byte) must not keep
 * Prometheus from scraping: the agent serves exchanges on a few threads and closes a connection whose request is
 * not complete within {@code DUROXIDE_METRICS_HTTP_TIMEOUT}.
 */
class SlowClientsIT {
    /** Prometheus's default scrape timeout: a scrape answered later than this is a failed scrape. */
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);

    /** What stalled clients send: each an incomplete request. */
    private static final List<String> STALLED = List.of(
            "GET /met",
            "GET /metrics HTTP/1.1\r\nHost: localhost\r\n",
            "G",
            "GET /metrics HTTP/1.1\r\n",
            "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n",
            "GET /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n");

    @Test
    void moreStalledClientsThanHandlerThreadsAreDroppedAfterTheTimeoutAndScrapesAnswer() throws Exception {
        stalledClientsAreDroppedAndScrapesAnswer(System.getProperty("java.home"), "slow-17");
    }

    @Test
    void moreStalledClientsThanHandlerThreadsAreDroppedOnTheNewestJdk() throws Exception {
        Path home = Path.of(System.getProperty("java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no second JDK at " + home);
        stalledClientsAreDroppedAndScrapesAnswer(home.toString(), "slow-25");
    }

    /**
     * Six stalled clients and one trickling, more than the agent's four handler threads, with a one-second timeout:
     * scrapes made while they are connected are answered in full, and the server closes every slow connection.
     */
    private static void stalledClientsAreDroppedAndScrapesAnswer(String javaHome, String name) throws Exception {
        Path db = Ports.newDb(name);
        try (ChildJvm child = ChildJvm.builder().name(name).javaHome(javaHome).metricsOnFreePort()
                .env("DUROXIDE_METRICS_HTTP_TIMEOUT", "1s")
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            Scrape truth = groundTruthScrape(child, port, db);
            List<Socket> stalled = new ArrayList<>();
            try (Trickler trickler = new Trickler(port)) {
                for (String partial : STALLED) {
                    stalled.add(connectAndSend(port, partial));
                }
                for (int i = 0; i < 3; i++) {
                    assertSameWorkload(Scrape.of(port, SCRAPE_TIMEOUT), truth);
                }
                for (Socket s : stalled) {
                    assertClosedWithoutAnswer(s);
                }
                assertClosedWithoutAnswer(trickler.socket);
                assertThat(trickler.sent()).as("the trickler sent bytes until the server closed its connection").isPositive();
            } finally {
                closeAll(stalled);
            }
            assertSameWorkload(Scrape.of(port, SCRAPE_TIMEOUT), truth);
            assertThat(child.output()).doesNotContain("[duroxide-agent] WARNING");
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    /**
     * Slow clients fewer than the handler threads, with a timeout far longer than the test: scrapes are answered
     * while every slow connection is still open, so they do not wait for the slow clients to be dropped.
     */
    @Test
    void scrapesDoNotWaitForSlowClientsToBeDropped() throws Exception {
        Path db = Ports.newDb("slow-held");
        try (ChildJvm child = ChildJvm.builder().name("slow-held").metricsOnFreePort()
                .env("DUROXIDE_METRICS_HTTP_TIMEOUT", "10m")
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            Scrape truth = groundTruthScrape(child, port, db);
            List<Socket> stalled = new ArrayList<>();
            try (Trickler trickler = new Trickler(port)) {
                stalled.add(connectAndSend(port, STALLED.get(0)));
                stalled.add(connectAndSend(port, STALLED.get(1)));
                for (int i = 0; i < 3; i++) {
                    assertSameWorkload(Scrape.of(port, SCRAPE_TIMEOUT), truth);
                }
                stalled.add(trickler.socket);
                for (Socket s : stalled) {
                    assertStillOpen(s);
                }
            } finally {
                closeAll(stalled);
            }
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    private static Scrape groundTruthScrape(ChildJvm child, int port, Path db) throws Exception {
        child.awaitDone(Duration.ofSeconds(120));
        GroundTruth truth = GroundTruth.read(db);
        Scrape s = Scrape.until(port, x -> completions(x).equals(truth.of("completions")), Duration.ofSeconds(30));
        assertThat(completions(s)).isEqualTo(truth.of("completions"));
        assertThat(s.value("duroxide_orchestration_starts_total", "orchestration_name", "Order", "version", "2.0.0",
                "initiated_by", "client")).isEqualTo(3.0);
        return s;
    }

    private static java.util.Map<String, Double> completions(Scrape s) {
        return KnownWorkloadIT.tuples(s, "duroxide_orchestration_completions_total", "orchestration_name", "version", "status",
                "final_turn_count");
    }

    /** The workload is over, so every counter of a later scrape equals the ground-truth scrape's. */
    private static void assertSameWorkload(Scrape s, Scrape truth) {
        assertThat(completions(s)).isEqualTo(completions(truth));
        assertThat(s.value("duroxide_orchestration_starts_total", "orchestration_name", "Order", "version", "2.0.0",
                "initiated_by", "client")).isEqualTo(3.0);
        assertThat(s.sum("duroxide_activity_executions_total")).isEqualTo(truth.sum("duroxide_activity_executions_total"));
    }

    private static Socket connectAndSend(int port, String partial) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        OutputStream out = s.getOutputStream();
        out.write(partial.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** The server closes the connection (end of stream or reset) without sending a byte. */
    private static void assertClosedWithoutAnswer(Socket s) throws IOException {
        s.setSoTimeout(60_000);
        InputStream in = s.getInputStream();
        int first;
        try {
            first = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept a stalled connection open for a minute", e);
        } catch (SocketException reset) {
            return;
        }
        assertThat(first).as("the server closed the connection without answering").isEqualTo(-1);
    }

    /** Nothing to read and no end of stream within 200 ms: the connection is open and unanswered. */
    private static void assertStillOpen(Socket s) throws IOException {
        s.setSoTimeout(200);
        try {
            int first = s.getInputStream().read();
            throw new AssertionError("a slow connection was answered or closed (read " + first + ")");
        } catch (SocketTimeoutException expected) {
            // still open
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing what the server may have closed
            }
        }
    }

    /** A client that sends a request line and then one header byte every 100 ms, never the blank line. */
    private static final class Trickler implements AutoCloseable {
        final Socket socket;
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile int sent;

        Trickler(int port) throws IOException {
            socket = connectAndSend(port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            thread = new Thread(this::trickle, "trickler");
            thread.setDaemon(true);
            thread.start();
        }

        private void trickle() {
            try {
                OutputStream out = socket.getOutputStream();
                while (!stop.get()) {
                    out.write('a');
                    out.flush();
                    sent++;
                    Thread.sleep(100); // the pace of a slow client, not a wait for a condition
                }
            } catch (IOException | InterruptedException e) {
                // the server closed the connection, or the test is over
            }
        }

        int sent() {
            return sent;
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            thread.interrupt();
            socket.close();
            thread.join(10_000);
        }
    }
}
