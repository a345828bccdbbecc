// One chat turn through the OTel-based Langfuse JS SDK (4.x or 5.x, whichever node_modules the working directory
// holds): a managed prompt, a trace with a linked generation, a score, then the trace read back through the SDK's own
// client. Prints one JSON line for tests/js/test_js_sdks.py. Settings come from LANGFUSE_* and SCENARIO_* variables.
const { createRequire } = require("node:module");
const path = require("node:path");

const load = createRequire(path.join(process.cwd(), "package.json"));
const { NodeTracerProvider } = load("@opentelemetry/sdk-trace-node");
const { LangfuseSpanProcessor } = load("@langfuse/otel");
const { startActiveObservation, startObservation, propagateAttributes } = load("@langfuse/tracing");
const { LangfuseClient } = load("@langfuse/client");

async function main() {
  const tag = process.env.SCENARIO_TAG;
  const processor = new LangfuseSpanProcessor();
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  const langfuse = new LangfuseClient();

  await langfuse.prompt.create({
    name: process.env.SCENARIO_PROMPT,
    type: "text",
    prompt: "Answer {{question}} briefly.",
    labels: ["production"],
    config: { temperature: 0.2 },
  });
  const prompt = await langfuse.prompt.get(process.env.SCENARIO_PROMPT);

  let traceId = "";
  let generationId = "";
  await startActiveObservation("chat-turn", async (root) => {
    traceId = root.traceId;
    root.update({ input: { question: "hi" } });
    await propagateAttributes(
      { userId: "js-user", sessionId: `session-${tag}`, tags: ["js", tag], traceName: "js-chat" },
      async () => {
        const generation = startObservation(
          "llm",
          {
            model: "gpt-4o-mini",
            input: [{ role: "user", content: prompt.compile({ question: "hi" }) }],
            modelParameters: { temperature: 0.2 },
            prompt,
          },
          { asType: "generation" },
        );
        generationId = generation.id;
        generation.update({ output: { role: "assistant", content: "hello" }, usageDetails: { input: 10, output: 5 } });
        generation.end();
      },
    );
    root.update({ output: { answer: "hello" } });
  });
  await processor.forceFlush();

  langfuse.score.create({ traceId, name: "user_feedback", value: 4, comment: "good" });
  await langfuse.score.flush();

  const trace = await langfuse.api.trace.get(traceId);
  const fetched = await langfuse.prompt.get(process.env.SCENARIO_PROMPT, { cacheTtlSeconds: 0 });
  console.log(JSON.stringify({ traceId, generationId, promptVersion: fetched.version, trace }));
  await provider.shutdown();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
