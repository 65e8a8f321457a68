package io.backpoint.repo.storage;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A repository in a bucket of S3-compatible object storage (Ceph RGW, AWS S3, ...).
 *
 * <p>Put-if-absent is a conditional PUT ({@code If-None-Match: *}), so two hosts storing the same
 * chunk at once store it once and neither overwrites the other. A store that ignores the
 * condition still keeps the repository correct: every object Backpoint writes with put-if-absent
 * is content-addressed or carries a fresh random name, so an overwrite writes the same bytes.
 *
 * <p>The SDK's standard retry strategy retries throttling (503 SlowDown) and transient errors with
 * exponential backoff and jitter; what still fails is reported with the object's key and why.
 */
final class S3Store implements ObjectStore {
    // Throughput on object storage is bounded by request latency, not bandwidth: callers keep
    // many requests in flight, and the connection pool must not be what serialises them.
    private static final int MAX_CONNECTIONS = 64;
    // Sixteen requests in flight hide loopback and LAN latency; each holds a chunk in memory
    // during restore and verify, so this also bounds the heap (16 x 4 MiB chunks).
    private static final int PARALLELISM = 16;
    private static final int MAX_ATTEMPTS = 8;

    private final S3Location location;
    private final S3Client s3;

    private S3Store(S3Location location, S3Client s3) {
        this.location = location;
        this.s3 = s3;
    }

    /** Opens the bucket named by {@code location}; fails clearly when it is not there. */
    static S3Store open(S3Location location) {
        S3Client client = client(location);
        S3Store store = new S3Store(location, client);
        try {
            store.call(() -> client.headBucket(HeadBucketRequest.builder().bucket(location.bucket()).build()), "");
        } catch (IOException e) {
            client.close();
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "repository '%s': %s", location.text(), e.getMessage());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return store;
    }

    private static S3Client client(S3Location location) {
        var builder = S3Client.builder()
                .region(region(location))
                // The sources the README names, and no others: the SDK's default chain would also
                // ask the EC2 instance-metadata address, network traffic nobody asked for.
                .credentialsProvider(AwsCredentialsProviderChain.of(
                        SystemPropertyCredentialsProvider.create(),
                        EnvironmentVariableCredentialsProvider.create(),
                        ProfileCredentialsProvider.create()))
                // Many S3-compatible stores reject the SDK's newer default checksum headers and
                // trailers; checksums are sent only where the API requires them. Chunks carry
                // their own SHA-256 id, which every read checks.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .overrideConfiguration(config -> config.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(MAX_ATTEMPTS)
                        // A conditional write that raced another one on the same key.
                        .retryOnException(t -> t instanceof S3Exception e && e.statusCode() == 409)
                        .build()));
        if (location.endpoint().isPresent()) {
            builder.endpointOverride(location.endpoint().get()).forcePathStyle(true);
        }
        return builder.build();
    }


    private static Region region(S3Location location) {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            if (location.endpoint().isPresent()) {
                // On-premise stores ignore the region but the request signature needs one.
                return Region.US_EAST_1;
            }
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "repository '%s': no AWS region is configured; set AWS_REGION or a profile's region", location.text());
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) throws IOException {
        String objectKey = location.objectKey(Keys.check(key));
        try {
            s3.putObject(PutObjectRequest.builder().bucket(location.bucket()).key(objectKey).ifNoneMatch("*")
                    .contentLength((long) content.length).build(), RequestBody.fromBytes(content));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return false;
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    @Override
    public void put(String key, byte[] content) throws IOException {
        String objectKey = location.objectKey(Keys.check(key));
        call(() -> s3.putObject(PutObjectRequest.builder().bucket(location.bucket()).key(objectKey)
                .contentLength((long) content.length).build(), RequestBody.fromBytes(content)), key);
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        String objectKey = location.objectKey(Keys.check(key));
        try {
            return Optional.of(read(GetObjectRequest.builder().bucket(location.bucket()).key(objectKey).build()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !noBucket(e)) {
                return Optional.empty();
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    @Override
    public byte[] get(String key, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length");
        }
        if (length == 0) {
            return new byte[0];
        }
        String objectKey = location.objectKey(Keys.check(key));
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        try {
            return read(GetObjectRequest.builder().bucket(location.bucket()).key(objectKey).range(range).build());
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                // The range starts at or past the end of the object.
                return new byte[0];
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    /**
     * The response body in one array of its announced length, filled straight from the stream:
     * getObjectAsBytes grows a buffer by doubling and copies it again at the end, which for
     * 4 MiB chunks costs more CPU than the rest of the request.
     */
    private byte[] read(GetObjectRequest request) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request)) {
            Long announced = in.response().contentLength();
            if (announced == null || announced < 0 || announced > Integer.MAX_VALUE - 8) {
                return in.readAllBytes();
            }
            byte[] content = new byte[announced.intValue()];
            int n = in.readNBytes(content, 0, content.length);
            if (n != content.length || in.read() != -1) {
                throw SdkClientException.create("the response body has " + (n == content.length ? "more" : "fewer")
                        + " bytes than its Content-Length " + announced);
            }
            return content;
        } catch (IOException e) {
            throw SdkClientException.create("reading the response body: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        String objectKey = location.objectKey(Keys.check(key));
        try {
            HeadObjectResponse head = s3.headObject(HeadObjectRequest.builder().bucket(location.bucket()).key(objectKey).build());
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                // HEAD has no body, so a missing bucket looks like a missing key; open() checked it.
                return Optional.empty();
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        String objectPrefix = prefix.isEmpty()
                ? (location.prefix().isEmpty() ? "" : location.prefix() + "/")
                : location.objectKey(prefix);
        List<ObjectInfo> infos = new ArrayList<>();
        call(() -> {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(objectPrefix).build();
            for (var page : s3.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    infos.add(new ObjectInfo(location.repositoryKey(object.key()), object.size(), object.lastModified()));
                }
            }
            return null;
        }, prefix.isEmpty() ? "(all)" : prefix + "*");
        // S3 lists in UTF-8 byte order; the seam promises key order, which for the ASCII keys a
        // repository uses is the same.
        return infos;
    }

    @Override
    public void delete(String key) throws IOException {
        String objectKey = location.objectKey(Keys.check(key));
        call(() -> s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey)), key);
    }

    @Override
    public boolean local() {
        return false;
    }

    @Override
    public int parallelism() {
        return PARALLELISM;
    }

    @Override
    public String location() {
        return location.text();
    }

    @Override
    public void close() {
        s3.close();
    }

    private <T> T call(Supplier<T> request, String key) throws IOException {
        try {
            return request.get();
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    private IOException failure(String key, SdkException e) {
        if (e instanceof S3Exception s3e && noBucket(s3e)) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                    "repository '%s': bucket '%s' does not exist%s; create it first (Backpoint does not create buckets)",
                    location.text(), location.bucket(), location.endpoint().map(uri -> " at " + uri).orElse(""));
        }
        if (key.isEmpty()) {
            // Said by open(), which names the repository already.
            return new IOException("bucket '" + location.bucket() + "': " + describe(e));
        }
        return new IOException("object '" + key + "' in '" + location.text() + "': " + describe(e));
    }

    private static boolean noBucket(S3Exception e) {
        return e.statusCode() == 404 && e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    private static String describe(SdkException e) {
        if (e instanceof S3Exception s3e) {
            String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
            String message = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorMessage();
            StringBuilder text = new StringBuilder("HTTP ").append(s3e.statusCode());
            if (code != null) {
                text.append(' ').append(code);
            }
            if (message != null && !message.isBlank()) {
                text.append(": ").append(message);
            }
            if (s3e.statusCode() == 403) {
                text.append(" (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile)");
            }
            return text.toString();
        }
        if (e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials")) {
            return "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE for a profile";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return "request failed after " + MAX_ATTEMPTS + " attempts: " + reason;
    }
}
