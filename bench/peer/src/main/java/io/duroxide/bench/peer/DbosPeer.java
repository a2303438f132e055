package io.duroxide.bench.peer;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.StartWorkflowOptions;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Workflow;
import dev.dbos.transact.workflow.WorkflowHandle;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DBOS Transact with its defaults (no queue: a started workflow runs in the process that started it, on
 * DBOS's own threads), its system tables in a schema of their own. Steps are {@code runStep} calls; the
 * fan-out starts each step as a child workflow and joins their results, the way DBOS runs steps in parallel.
 */
final class DbosPeer implements Peer {
    private final DBOS dbos;
    private final DbosWorkflows workflows;

    /** @param jdbcUrl with {@code user} and {@code password} parameters, as the Duroxide side takes it */
    DbosPeer(String jdbcUrl, String schema, String executorId, Workload workload) {
        Map<String, String> params = queryParameters(jdbcUrl);
        this.dbos = new DBOS(DBOSConfig.defaults("duroxide-peer")
                .withDatabaseUrl(jdbcUrl)
                .withDbUser(params.get("user"))
                .withDbPassword(params.get("password"))
                .withDatabaseSchema(schema)
                .withExecutorId(executorId)
                .disableAdminServer());
        this.workflows = dbos.registerProxy(DbosWorkflows.class, new Impl(workload));
        dbos.launch();
    }

    @Override
    public void start(String id, int input) {
        dbos.startWorkflow(() -> workflows.workflow(input), new StartWorkflowOptions(id));
    }

    @Override
    public void awaitCompletion(String id) throws Exception {
        dbos.getResult(id);
    }

    @Override
    public void close() {
        dbos.shutdown();
    }

    private static Map<String, String> queryParameters(String jdbcUrl) {
        Map<String, String> params = new HashMap<>();
        String query = URI.create(jdbcUrl.substring("jdbc:".length())).getQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return params;
    }

    /** Public for DBOS's proxy; its methods run only through {@link DbosPeer#workflows}. */
    public final class Impl implements DbosWorkflows {
        private final Workload workload;

        Impl(Workload workload) {
            this.workload = workload;
        }

        @Override
        @Workflow(name = "workflow")
        public int workflow(int input) throws Exception {
            int sum = 0;
            if (!workload.fanOut()) {
                for (int i = 0; i < Workload.STEPS; i++) {
                    int n = i;
                    sum += dbos.runStep(() -> workload.step(n), "step");
                }
                return sum;
            }
            List<WorkflowHandle<Integer, Exception>> children = new ArrayList<>(Workload.STEPS);
            for (int i = 0; i < Workload.STEPS; i++) {
                int n = i;
                children.add(dbos.startWorkflow(() -> workflows.oneStep(n)));
            }
            for (WorkflowHandle<Integer, Exception> child : children) {
                sum += child.getResult();
            }
            return sum;
        }

        @Override
        @Workflow(name = "oneStep")
        public int oneStep(int n) throws Exception {
            return dbos.runStep(() -> workload.step(n), "step");
        }
    }
}
