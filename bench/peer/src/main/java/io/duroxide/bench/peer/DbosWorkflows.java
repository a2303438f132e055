package io.duroxide.bench.peer;

/** The comparison's workflows on DBOS Transact: DBOS registers an implementation and calls it through a proxy. */
public interface DbosWorkflows {
    /** The round's workflow: {@link Workload#STEPS} steps, in sequence or as child workflows joined. */
    int workflow(int input) throws Exception;

    /** One step as a workflow of its own: how a DBOS workflow runs steps in parallel. */
    int oneStep(int n) throws Exception;
}
