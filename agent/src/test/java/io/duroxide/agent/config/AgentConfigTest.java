package io.duroxide.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
    private static AgentConfig env(String... kv) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return AgentConfig.from(null, env, Map.of());
    }

    @Test
    void defaults() {
        AgentConfig c = env();
        assertThat(c.enabled).isTrue();
        assertThat(c.orchestration && c.activity && c.provider && c.worker).isTrue();
        assertThat(c.sampleRate).isEqualTo(1.0);
        assertThat(c.includeErrorMessages).isFalse();
        assertThat(c.maxLabelValues).isEqualTo(1000);
        assertThat(c.host).isEqualTo("0.0.0.0");
        assertThat(c.port).isEqualTo(9464);
        assertThat(c.path).isEqualTo("/metrics");
        assertThat(c.pollInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.orchestrationDurationBuckets).containsExactly(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 1800, 3600);
        assertThat(c.activityDurationBuckets).containsExactly(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300);
        assertThat(c.providerDurationBuckets).containsExactly(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5);
        assertThat(c.historySizeBuckets).containsExactly(10, 50, 100, 500, 1000, 5000, 10000);
        assertThat(c.problems).isEmpty();
    }

    @Test
    void everySpecVariableIsRead() {
        AgentConfig c = env("DUROXIDE_METRICS_ORCHESTRATION", "false", "DUROXIDE_METRICS_ACTIVITY", "off",
                "DUROXIDE_METRICS_PROVIDER", "0", "DUROXIDE_METRICS_WORKER", "no", "DUROXIDE_METRICS_SAMPLE_RATE", "0.25",
                "DUROXIDE_METRICS_INCLUDE_ERROR_MESSAGES", "true", "DUROXIDE_METRICS_MAX_LABEL_VALUES", "100",
                "DUROXIDE_METRICS_PORT", "9999", "DUROXIDE_METRICS_HOST", "127.0.0.1", "DUROXIDE_METRICS_PATH", "/prom",
                "DUROXIDE_METRICS_POLL_INTERVAL", "250ms", "DUROXIDE_METRICS_BUCKETS_ACTIVITY_DURATION", "1, 5,10");
        assertThat(c.orchestration || c.activity || c.provider || c.worker).isFalse();
        assertThat(c.sampleRate).isEqualTo(0.25);
        assertThat(c.includeErrorMessages).isTrue();
        assertThat(c.maxLabelValues).isEqualTo(100);
        assertThat(c.port).isEqualTo(9999);
        assertThat(c.host).isEqualTo("127.0.0.1");
        assertThat(c.path).isEqualTo("/prom");
        assertThat(c.pollInterval).isEqualTo(Duration.ofMillis(250));
        assertThat(c.activityDurationBuckets).containsExactly(1, 5, 10);
        assertThat(c.problems).isEmpty();
    }

    @Test
    void precedenceIsAgentArgumentThenSystemPropertyThenEnvironment() {
        Map<String, String> env = Map.of("DUROXIDE_METRICS_PORT", "1111", "DUROXIDE_METRICS_PATH", "/env",
                "DUROXIDE_METRICS_MAX_LABEL_VALUES", "7");
        Map<String, String> props = Map.of("duroxide.metrics.port", "2222", "duroxide.metrics.path", "/prop");
        AgentConfig c = AgentConfig.from("port=3333", env, props);
        assertThat(c.port).isEqualTo(3333);
        assertThat(c.path).isEqualTo("/prop");
        assertThat(c.maxLabelValues).isEqualTo(7);
        AgentConfig dotted = AgentConfig.from(null, Map.of(), Map.of("duroxide.metrics.max.label.values", "9"));
        assertThat(dotted.maxLabelValues).isEqualTo(9);
    }

    @Test
    void invalidValuesGiveOneLineNamingTheVariableAndTheDefault() {
        AgentConfig c = env("DUROXIDE_METRICS_PORT", "http", "DUROXIDE_METRICS_SAMPLE_RATE", "1.5",
                "DUROXIDE_METRICS_ACTIVITY", "maybe", "DUROXIDE_METRICS_POLL_INTERVAL", "soon",
                "DUROXIDE_METRICS_BUCKETS_HISTORY_SIZE", "10,5", "DUROXIDE_METRICS_MAX_LABEL_VALUES", "-3",
                "DUROXIDE_METRICS_PATH", "metrics");
        assertThat(c.port).isEqualTo(9464);
        assertThat(c.sampleRate).isEqualTo(1.0);
        assertThat(c.activity).isTrue();
        assertThat(c.pollInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.historySizeBuckets).containsExactly(10, 50, 100, 500, 1000, 5000, 10000);
        assertThat(c.maxLabelValues).isEqualTo(1000);
        assertThat(c.path).isEqualTo("/metrics");
        assertThat(c.problems).hasSize(7);
        assertThat(c.problems).anySatisfy(p -> assertThat(p)
                .isEqualTo("DUROXIDE_METRICS_PORT=\"http\" is not a TCP port (0-65535); using the default 9464"));
        assertThat(c.problems).allSatisfy(p -> assertThat(p).startsWith("DUROXIDE_METRICS_").contains("using the default")
                .doesNotContain("\n"));
    }

    @Test
    void anUnknownEnvironmentVariableIsOneLineNamingTheClosestSetting() {
        AgentConfig c = env("DUROXIDE_METRICS_SAMPLERATE", "0.5", "DUROXIDE_METRICS_port", "1234");
        assertThat(c.sampleRate).isEqualTo(1.0);
        assertThat(c.port).isEqualTo(9464);
        assertThat(c.problems).containsExactly(
                "DUROXIDE_METRICS_SAMPLERATE is not a setting of the agent and is ignored; did you mean DUROXIDE_METRICS_SAMPLE_RATE?",
                "DUROXIDE_METRICS_port is not a setting of the agent and is ignored; did you mean DUROXIDE_METRICS_PORT?");
    }

    @Test
    void anUnknownAgentArgumentIsOneLineOncePerName() {
        AgentConfig c = AgentConfig.from("sampel.rate=0.1,port=9465,SAMPEL-RATE=0.2,9466", Map.of(), Map.of());
        assertThat(c.sampleRate).isEqualTo(1.0);
        assertThat(c.port).isEqualTo(9465);
        assertThat(c.problems).containsExactly(
                "agent argument \"9466\" is not name=value; ignored",
                "agent argument sampel.rate is not a setting of the agent and is ignored; did you mean sample.rate?");
    }

    @Test
    void anUnknownSystemPropertyIsOneLineNamingTheClosestSetting() {
        AgentConfig c = AgentConfig.from(null, Map.of(), Map.of("duroxide.metrics.pol.interval", "1s",
                "duroxide.metrics.Sample.Rate", "0.5", "duroxide.metrics.max_label_values", "9"));
        assertThat(c.pollInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.sampleRate).isEqualTo(1.0);
        assertThat(c.maxLabelValues).isEqualTo(9);
        assertThat(c.problems).containsExactly(
                "-Dduroxide.metrics.Sample.Rate is not a setting of the agent and is ignored; did you mean -Dduroxide.metrics.sample.rate?",
                "-Dduroxide.metrics.pol.interval is not a setting of the agent and is ignored; did you mean -Dduroxide.metrics.poll.interval?");
    }

    @Test
    void knownNamesAndOtherVariablesGiveNoLine() {
        Map<String, String> env = new HashMap<>();
        for (String suffix : AgentConfig.SETTINGS.keySet()) {
            env.put(AgentConfig.ENV_PREFIX + suffix, AgentConfig.SETTINGS.get(suffix));
        }
        env.put("PATH", "/usr/bin");
        env.put("DUROXIDE_TEST_PG_URL", "jdbc:postgresql://localhost/duroxide");
        env.put("DUROXIDE_METRICSX", "1");
        Map<String, String> props = Map.of("duroxide.metrics.sample.rate", "0.5", "duroxide.metrics.max_label_values", "9",
                "duroxide.pg.schema", "s", "java.version", "17");
        AgentConfig c = AgentConfig.from("port=1,log=quiet,duroxide.metrics.path=/p", env, props);
        assertThat(c.problems).isEmpty();
        assertThat(c.sampleRate).isEqualTo(0.5);
        assertThat(c.path).isEqualTo("/p");
    }

    @Test
    void loadReadsTheRealSystemPropertiesForUnknownNames() {
        System.setProperty("duroxide.metrics.sampel.rate", "0.1");
        try {
            assertThat(AgentConfig.load(null).problems).contains(
                    "-Dduroxide.metrics.sampel.rate is not a setting of the agent and is ignored; did you mean -Dduroxide.metrics.sample.rate?");
        } finally {
            System.clearProperty("duroxide.metrics.sampel.rate");
        }
    }

    @Test
    void closestSettingByEditDistance() {
        assertThat(AgentConfig.editDistance("SAMPLERATE", "SAMPLE_RATE")).isEqualTo(1);
        assertThat(AgentConfig.editDistance("", "LOG")).isEqualTo(3);
        assertThat(AgentConfig.editDistance("POL_INTERVAL", "POLL_INTERVAL")).isEqualTo(1);
        assertThat(AgentConfig.closest("BUCKETS_ACTIVITY_DURATIONS")).isEqualTo("BUCKETS_ACTIVITY_DURATION");
        assertThat(AgentConfig.closest("MAX_LABELS")).isEqualTo("MAX_LABEL_VALUES");
    }

    @Test
    void capsCombineMaxLabelValuesWithTheSpecCaps() {
        AgentConfig c = env("DUROXIDE_METRICS_MAX_LABEL_VALUES", "100");
        assertThat(c.capFor("activity_name")).isEqualTo(100);
        assertThat(c.capFor("orchestration_name")).isEqualTo(100);
        AgentConfig d = env();
        assertThat(d.capFor("activity_name")).isEqualTo(500);
        assertThat(d.capFor("error_code")).isEqualTo(100);
        assertThat(d.capFor("orchestration_name")).isEqualTo(1000);
    }

    @Test
    void httpTimeoutDefaultsToFiveSecondsAndRefusesLessThan100Ms() {
        assertThat(env().httpTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(env("DUROXIDE_METRICS_HTTP_TIMEOUT", "2s").httpTimeout).isEqualTo(Duration.ofSeconds(2));
        AgentConfig tooShort = env("DUROXIDE_METRICS_HTTP_TIMEOUT", "50ms");
        assertThat(tooShort.httpTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(tooShort.problems).containsExactly("DUROXIDE_METRICS_HTTP_TIMEOUT=\"50ms\" is not a duration between 100ms and 600s"
                + " (e.g. 500ms, 5s, 1m); using the default 5s");
    }

    @Test
    void durations() {
        assertThat(AgentConfig.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(AgentConfig.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(AgentConfig.parseDuration("PT2S")).isEqualTo(Duration.ofSeconds(2));
        assertThat(AgentConfig.parseDuration("2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(AgentConfig.parseDuration("-1s")).isNull();
        assertThat(AgentConfig.parseDuration("x")).isNull();
    }
}
