package io.backpoint.repo.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The seam's contract against a real S3 server (Ceph RGW), plus what only S3 can get wrong. */
class S3StoreContractTest extends ObjectStoreContract {
    @Override
    ObjectStore newStore() {
        return ObjectStores.open(S3TestServer.get().newLocation("repo"));
    }

    @Test
    void objectsLiveUnderTheRepositoryPrefixOnly() throws Exception {
        S3TestServer server = S3TestServer.get();
        String bucket = server.newBucket();
        try (ObjectStore a = ObjectStores.open("s3://" + bucket + "/site-a?endpoint=" + server.endpoint());
                ObjectStore b = ObjectStores.open("s3://" + bucket + "/site-b/?endpoint=" + server.endpoint())) {
            a.put("config.json", bytes("a"));
            b.put("config.json", bytes("b"));
            assertThat(text(a.get("config.json").orElseThrow())).isEqualTo("a");
            assertThat(a.list("")).extracting(ObjectInfo::key).containsExactly("config.json");
            var keys = server.admin().listObjectsV2(r -> r.bucket(bucket)).contents().stream().map(o -> o.key()).toList();
            assertThat(keys).containsExactlyInAnyOrder("site-a/config.json", "site-b/config.json");
        }
    }

    @Test
    void aMissingBucketIsNamedWithTheWayOut() {
        String endpoint = S3TestServer.get().endpoint();
        assertThatThrownBy(() -> ObjectStores.open("s3://bp-no-such-bucket-here/x?endpoint=" + endpoint))
                .isInstanceOf(BackpointException.class)
                .hasMessageContaining("bucket 'bp-no-such-bucket-here' does not exist")
                .hasMessageContaining("create it first");
    }

    @Test
    void wrongCredentialsSayWhatToCheck() {
        S3TestServer server = S3TestServer.get();
        String location = server.newLocation("repo");
        String saved = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.secretAccessKey", "not-the-secret");
        try {
            assertThatThrownBy(() -> ObjectStores.open(location))
                    .isInstanceOf(BackpointException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("AWS_SECRET_ACCESS_KEY");
        } finally {
            System.setProperty("aws.secretAccessKey", saved);
        }
    }

    @Test
    void aServerThatGoesAwayFailsCallsAfterRetriesNamingTheObjectAndWorksWhenBack() throws Exception {
        S3TestServer server = S3TestServer.get();
        URI endpoint = URI.create(server.endpoint());
        try (TcpProxy proxy = new TcpProxy(endpoint.getPort())) {
            String location = "s3://" + server.newBucket() + "/repo?endpoint=http://127.0.0.1:" + proxy.port();
            try (ObjectStore store = ObjectStores.open(location)) {
                store.put("locks/backup-a", bytes("x"));
                proxy.stop();
                assertThatThrownBy(() -> store.putIfAbsent("chunks/dd/while-down", bytes("y")))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("object 'chunks/dd/while-down'")
                        .hasMessageContaining("request failed after");
                proxy.start();
                assertThat(store.putIfAbsent("chunks/dd/while-down", bytes("y"))).isTrue();
                assertThat(store.get("locks/backup-a")).isPresent();
            }
        }
    }

    @Test
    void anUnreachableEndpointIsAClearErrorAtOpen() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> ObjectStores.open("s3://bp-any-bucket/x?endpoint=http://127.0.0.1:" + closedPort))
                .isInstanceOf(BackpointException.class)
                .hasMessageContaining("repository 's3://bp-any-bucket/x")
                .hasMessageContaining("request failed after");
    }
}
