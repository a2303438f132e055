package io.duroxide.agenttests.apps;

/** An application without the engine on its class path: the agent must idle quietly. */
public final class NoEngineApp {
    private NoEngineApp() {}

    public static void main(String[] args) throws Exception {
        long sum = 0;
        for (int i = 0; i < 1_000_000; i++) {
            sum += Integer.toString(i).hashCode();
        }
        System.out.println("DONE sum=" + sum);
        System.out.flush();
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
    }
}
