package io.backpoint.repo.storage;

import io.backpoint.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real S3 server the object-storage tests talk to: the one named by AWS_ENDPOINT_URL (CI
 * starts Ceph RGW with .ci/ceph-rgw and exports it), or else a Ceph RGW this JVM starts with the
 * same script when Ceph is installed. Without either the tests are skipped with a message, except
 * under CI, where a missing server is a failure.
 */
public final class S3TestServer {
    private static S3TestServer instance;
    private static String unavailable;

    private final String endpoint;
    private final String accessKey;
    private final String secretKey;
    private final S3Client admin;

    private S3TestServer(String endpoint, String accessKey, String secretKey) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.admin = S3Client.builder().endpointOverride(java.net.URI.create(endpoint)).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
        // S3Store takes credentials from the SDK's default chain; system properties are part of it
        // and reach only this JVM.
        System.setProperty("aws.accessKeyId", accessKey);
        System.setProperty("aws.secretAccessKey", secretKey);
        System.setProperty("aws.region", "us-east-1");
    }

    /** The server, or the test is skipped (failed under CI) with the reason. */
    public static synchronized S3TestServer get() {
        if (instance == null && unavailable == null) {
            try {
                instance = find();
            } catch (IOException | InterruptedException e) {
                unavailable = "could not start Ceph RGW: " + e.getMessage();
            }
        }
        if (instance == null) {
            String why = "no S3 server: " + unavailable;
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why + " (CI must start one: .ci/ceph-rgw)");
            }
            Assumptions.abort(why);
        }
        return instance;
    }

    private static S3TestServer find() throws IOException, InterruptedException {
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        String access = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        if (endpoint != null && access != null && secret != null) {
            return new S3TestServer(endpoint, access, secret);
        }
        Path script = repositoryRoot().resolve(".ci/ceph-rgw");
        if (!Files.isExecutable(script) || !Tools.onPath("radosgw") || !Tools.onPath("ceph-mon") || !Tools.onPath("ceph-osd")) {
            unavailable = "AWS_ENDPOINT_URL is not set and Ceph (ceph-mon, ceph-osd, radosgw) is not installed";
            return null;
        }
        Path dir = Files.createTempDirectory("bp-rgw-");
        // A port of this JVM's own, so that two test JVMs never share a cluster.
        int base = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.put("BACKPOINT_CEPH_MON_PORT", Integer.toString(base));
        env.put("BACKPOINT_RGW_PORT", Integer.toString(base + 1));
        run(env, script.toString(), "start", dir.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(env, script.toString(), "stop", dir.toString());
            } catch (IOException | InterruptedException e) {
                // The daemons end with the machine's session; nothing else to do at exit.
            }
        }));
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("env"), StandardCharsets.UTF_8)) {
            String assignment = line.replaceFirst("^export ", "");
            int eq = assignment.indexOf('=');
            vars.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        return new S3TestServer(vars.get("AWS_ENDPOINT_URL"), vars.get("AWS_ACCESS_KEY_ID"), vars.get("AWS_SECRET_ACCESS_KEY"));
    }

    /** A new, empty bucket of this test's own. */
    public String newBucket() {
        String bucket = "bp-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        admin.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** A repository location in a new bucket, the endpoint given in the URI. */
    public String newLocation(String prefix) {
        return "s3://" + newBucket() + "/" + prefix + "?endpoint=" + endpoint;
    }

    public String endpoint() {
        return endpoint;
    }

    public S3Client admin() {
        return admin;
    }

    /** The variables a child process needs to reach this server with the default chain. */
    public Map<String, String> environment() {
        return Map.of("AWS_ENDPOINT_URL", endpoint, "AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey,
                "AWS_REGION", "us-east-1");
    }

    private static void run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(Duration.ofMinutes(3).toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of("") : dir;
    }
}
