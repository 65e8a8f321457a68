package io.backpoint.repo.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3LocationTest {
    @Test
    void bucketPrefixAndEndpointFromTheUri() {
        S3Location location = S3Location.parse("s3://backups/site-a/vms/?endpoint=http://127.0.0.1:7480", Optional.empty());
        assertThat(location.bucket()).isEqualTo("backups");
        assertThat(location.prefix()).isEqualTo("site-a/vms");
        assertThat(location.endpoint()).contains(URI.create("http://127.0.0.1:7480"));
        assertThat(location.objectKey("config.json")).isEqualTo("site-a/vms/config.json");
        assertThat(location.repositoryKey("site-a/vms/chunks/ab/x")).isEqualTo("chunks/ab/x");
    }

    @Test
    void theUriEndpointWinsOverTheEnvironmentsAndNoPrefixIsTheBucketRoot() {
        S3Location location = S3Location.parse("s3://backups?endpoint=https://rgw.example:443", Optional.of("http://127.0.0.1:1"));
        assertThat(location.prefix()).isEmpty();
        assertThat(location.objectKey("config.json")).isEqualTo("config.json");
        assertThat(location.endpoint()).contains(URI.create("https://rgw.example:443"));
        assertThat(S3Location.parse("s3://backups", Optional.of("http://127.0.0.1:1")).endpoint())
                .contains(URI.create("http://127.0.0.1:1"));
        assertThat(S3Location.parse("s3://backups", Optional.empty()).endpoint()).isEmpty();
    }

    @Test
    void plainHttpIsFlaggedOnlyOffThisMachine() {
        assertThat(S3Location.parse("s3://b-1?endpoint=http://127.0.0.1:7480", Optional.empty()).plainHttpOffHost()).isFalse();
        assertThat(S3Location.parse("s3://b-1?endpoint=http://localhost:7480", Optional.empty()).plainHttpOffHost()).isFalse();
        assertThat(S3Location.parse("s3://b-1?endpoint=http://10.1.2.3:7480", Optional.empty()).plainHttpOffHost()).isTrue();
        assertThat(S3Location.parse("s3://b-1?endpoint=https://10.1.2.3", Optional.empty()).plainHttpOffHost()).isFalse();
        assertThat(ObjectStores.warnings("s3://b-1/x?endpoint=http://rgw.lan:7480")).singleElement().asString()
                .contains("plain HTTP");
        assertThat(ObjectStores.warnings("/srv/backups")).isEmpty();
    }

    @Test
    void badLocationsNameWhatIsWrong() {
        assertThatThrownBy(() -> S3Location.parse("s3://Bad_Bucket/x", Optional.empty()))
                .isInstanceOf(BackpointException.class).hasMessageContaining("'Bad_Bucket' is not a bucket name");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/../x", Optional.empty()))
                .isInstanceOf(BackpointException.class).hasMessageContaining("not a usable key prefix");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/x?region=eu", Optional.empty()))
                .isInstanceOf(BackpointException.class).hasMessageContaining("unknown parameter 'region=eu'");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/x?endpoint=ftp://h", Optional.empty()))
                .isInstanceOf(BackpointException.class).hasMessageContaining("not an http:// or https:// URL");
    }
}
