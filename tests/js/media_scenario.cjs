// A generation whose input holds a base64 data URI, through the OTel-based Langfuse JS SDK (the working directory's
// node_modules): the span processor uploads the bytes to the server's media endpoints and sends a reference token in
// their place. Prints one JSON line for tests/media/test_media_sdk.py.
const { createRequire } = require("node:module");
const path = require("node:path");

const load = createRequire(path.join(process.cwd(), "package.json"));
const { NodeTracerProvider } = load("@opentelemetry/sdk-trace-node");
const { LangfuseSpanProcessor } = load("@langfuse/otel");
const { startObservation } = load("@langfuse/tracing");

async function main() {
  const processor = new LangfuseSpanProcessor();
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  const generation = startObservation(
    "describe",
    { input: [{ role: "user", content: process.env.SCENARIO_DATA_URI }] },
    { asType: "generation" },
  );
  generation.update({ output: "a dot" });
  generation.end();
  await processor.forceFlush();
  console.log(JSON.stringify({ traceId: generation.traceId }));
  await provider.shutdown();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
