package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import dev.baton.cloudstorage.spi.ObjectReader;
import dev.baton.cloudstorage.spi.ObjectStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A storage on one bucket of an S3-compatible server, through the AWS SDK for Java v2's synchronous
 * {@code S3Client} on the JDK's {@code HttpURLConnection} ({@code url-connection-client}; no Netty,
 * no Apache client) and its {@code S3Presigner}.
 *
 * <p><b>Concurrency.</b> Thread-safe; every method blocks on HTTP. The module runs them on virtual
 * threads; an interrupted thread aborts its exchange (the SDK throws {@code AbortedException}, the
 * JDK closes a virtual thread's socket on interrupt), so a cancelled upload sends an incomplete
 * body, which S3 discards: no object appears. {@link ObjectReader#abort()} closes the download's
 * connection instead of draining it.
 *
 * <p><b>Checksums.</b> The client computes request checksums only when an operation requires them
 * and validates response checksums likewise, so it works with S3-compatible servers that do not
 * know the newer flexible checksums. Objects' ETags are returned without quotes.
 *
 * <p><b>Uploads</b> are one PUT each (no multipart yet): up to {@link #MAX_SINGLE_PUT_BYTES} (or
 * the builder's {@link Builder#maxUploadBytes}); a larger one fails with {@link
 * UploadTooLargeException} before anything is sent.
 *
 * <p><b>Errors.</b> 404 on an object: {@link ObjectNotFoundException}; 403: {@link
 * AccessDeniedException}; 416: {@link InvalidRangeException}; anything else (no connection, a
 * missing bucket, a 5xx): {@link StorageUnavailableException} with the SDK's exception as cause.
 */
public final class S3ObjectStorage implements ObjectStorage {
  private final String name;
  private final String bucket;
  private final S3Client client;
  private final S3Presigner presigner;
  private final long maxUploadBytes;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** S3's limit for one PUT: 5 GiB. */
  public static final long MAX_SINGLE_PUT_BYTES = 5L << 30;

  private S3ObjectStorage(
      String name, String bucket, S3Client client, S3Presigner presigner, long maxUploadBytes) {
    this.name = name;
    this.bucket = bucket;
    this.client = client;
    this.presigner = presigner;
    this.maxUploadBytes = maxUploadBytes;
  }

  /**
   * A builder for the storage {@code name} on {@code bucket}.
   *
   * @param name the storage's name in commands
   * @param bucket the bucket's name
   */
  public static Builder builder(String name, String bucket) {
    return new Builder(name, bucket);
  }

  @Override
  public String name() {
    return name;
  }

  /** The bucket. */
  public String bucket() {
    return bucket;
  }

  /**
   * Creates the bucket if it does not exist (blocking). For tests and first-time setup; a bucket
   * that exists already is fine.
   *
   * @throws StorageUnavailableException if the server refuses or cannot be reached
   */
  public S3ObjectStorage createBucketIfMissing() {
    try {
      client.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException ok) {
      // fine
    } catch (S3Exception e) {
      if (!"BucketAlreadyOwnedByYou".equals(errorCode(e))
          && !"BucketAlreadyExists".equals(errorCode(e))) {
        throw translate("create bucket", null, e);
      }
    } catch (SdkException e) {
      throw translate("create bucket", null, e);
    }
    return this;
  }

  @Override
  public ObjectPage list(String prefix, @Nullable String continuationToken, int maxKeys) {
    try {
      ListObjectsV2Response response =
          client.listObjectsV2(
              b -> {
                b.bucket(bucket).maxKeys(maxKeys);
                if (!prefix.isEmpty()) {
                  b.prefix(prefix);
                }
                if (continuationToken != null) {
                  b.continuationToken(continuationToken);
                }
              });
      List<ObjectSummary> objects = new ArrayList<>();
      for (S3Object o : response.contents()) {
        objects.add(
            new ObjectSummary(
                o.key(),
                o.size() == null ? 0 : o.size(),
                etag(o.eTag()),
                o.lastModified() == null ? Instant.EPOCH : o.lastModified()));
      }
      String next =
          Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
      return new ObjectPage(objects, next == null || next.isEmpty() ? null : next);
    } catch (SdkException e) {
      throw translate("list", null, e);
    }
  }

  @Override
  public ObjectInfo head(String key) {
    try {
      HeadObjectResponse r = client.headObject(b -> b.bucket(bucket).key(key));
      return new ObjectInfo(
          key,
          r.contentLength() == null ? 0 : r.contentLength(),
          etag(r.eTag()),
          contentType(r.contentType()),
          r.lastModified() == null ? Instant.EPOCH : r.lastModified(),
          r.metadata());
    } catch (SdkException e) {
      throw translate("head", key, e);
    }
  }

  @Override
  public ObjectReader open(String key, @Nullable ByteRange range) {
    GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
    if (range != null) {
      request.range(range.header());
    }
    ResponseInputStream<GetObjectResponse> stream;
    try {
      stream = client.getObject(request.build());
    } catch (S3Exception e) {
      if (e.statusCode() == 416 && range != null) {
        throw new InvalidRangeException(name, key, range, -1);
      }
      throw translate("download", key, e);
    } catch (SdkException e) {
      throw translate("download", key, e);
    }
    GetObjectResponse r = stream.response();
    if (r.contentLength() == null) {
      stream.abort();
      throw new StorageUnavailableException(
          name, "download", key, new IOException("the server sent no Content-Length"));
    }
    long length = r.contentLength();
    long size = length;
    String contentRange = r.contentRange();
    if (contentRange != null) {
      int slash = contentRange.lastIndexOf('/');
      if (slash >= 0 && !contentRange.endsWith("*")) {
        size = Long.parseLong(contentRange.substring(slash + 1).trim());
      }
    }
    ObjectInfo info =
        new ObjectInfo(
            key,
            size,
            etag(r.eTag()),
            contentType(r.contentType()),
            r.lastModified() == null ? Instant.EPOCH : r.lastModified(),
            r.metadata());
    return new S3Reader(info, length, stream);
  }

  @Override
  public UploadResult upload(CloudStorage.Upload upload) {
    String key = upload.key();
    try {
      RequestBody body;
      long size;
      byte[] bytes = upload.bytes();
      if (bytes != null) {
        body = RequestBody.fromBytes(bytes);
        size = bytes.length;
      } else {
        var file = requireNonNull(upload.file());
        if (Files.isDirectory(file)) {
          throw new UncheckedIOException(
              "the file to upload is a directory: " + file, new IOException(file + ": directory"));
        }
        try {
          size = Files.size(file);
        } catch (NoSuchFileException e) {
          throw new UncheckedIOException("the file to upload does not exist: " + file, e);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the file to upload: " + file, e);
        }
        body = RequestBody.fromFile(file);
      }
      if (size > maxUploadBytes) {
        throw new UploadTooLargeException(name, key, size, maxUploadBytes);
      }
      PutObjectRequest.Builder request =
          PutObjectRequest.builder()
              .bucket(bucket)
              .key(key)
              .contentLength(size)
              .metadata(upload.metadata());
      if (upload.contentType() != null) {
        request.contentType(upload.contentType());
      }
      PutObjectResponse response = client.putObject(request.build(), body);
      return new UploadResult(key, etag(response.eTag()), size);
    } catch (SdkException e) {
      throw translate("upload", key, e);
    }
  }

  /**
   * One {@code DeleteObject} per key, in order. Not the batch {@code DeleteObjects}: it requires a
   * body checksum, which this SDK sends as a flexible checksum that S3-compatible servers (s3proxy,
   * older MinIO) refuse with 501; per-key deletes work everywhere, at one round trip per key.
   */
  @Override
  public List<DeleteOutcome> delete(List<String> keys) {
    List<DeleteOutcome> outcomes = new ArrayList<>(keys.size());
    for (String key : keys) {
      try {
        client.deleteObject(b -> b.bucket(bucket).key(key));
        outcomes.add(new DeleteOutcome(key, null));
      } catch (AbortedException e) {
        throw e;
      } catch (SdkException e) {
        RuntimeException error = translate("delete", key, e);
        if (error instanceof ObjectNotFoundException) {
          outcomes.add(new DeleteOutcome(key, null)); // absent: nothing to delete
        } else if (error instanceof CloudStorageException typed) {
          outcomes.add(new DeleteOutcome(key, typed));
        } else {
          throw error;
        }
      }
      if (Thread.currentThread().isInterrupted()) {
        throw AbortedException.builder().message("the delete was cancelled").build();
      }
    }
    return outcomes;
  }

  @Override
  public PresignedUrl presignGet(String key, Duration expiry) {
    try {
      return presigned(
          "GET",
          presigner.presignGetObject(
              p -> p.signatureDuration(expiry).getObjectRequest(g -> g.bucket(bucket).key(key))));
    } catch (SdkException e) {
      throw translate("presign GET", key, e);
    }
  }

  @Override
  public PresignedUrl presignPut(
      String key, Duration expiry, @Nullable String contentType, long contentLength) {
    try {
      return presigned(
          "PUT",
          presigner.presignPutObject(
              p ->
                  p.signatureDuration(expiry)
                      .putObjectRequest(
                          r -> {
                            r.bucket(bucket).key(key);
                            if (contentType != null) {
                              r.contentType(contentType);
                            }
                            if (contentLength >= 0) {
                              r.contentLength(contentLength);
                            }
                          })));
    } catch (SdkException e) {
      throw translate("presign PUT", key, e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      presigner.close();
      client.close();
    }
  }

  private PresignedUrl presigned(String method, PresignedRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request
        .signedHeaders()
        .forEach(
            (header, values) -> {
              if (!header.equalsIgnoreCase("host")) {
                headers.put(header, values);
              }
            });
    try {
      return new PresignedUrl(request.url().toURI(), method, request.expiration(), headers);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the SDK made an invalid URL: " + request.url(), e);
    }
  }

  private RuntimeException translate(String operation, @Nullable String key, SdkException e) {
    if (e instanceof AbortedException) {
      return e; // interrupted: the module completes the command as cancelled
    }
    if (e instanceof NoSuchKeyException && key != null) {
      return new ObjectNotFoundException(name, key, e);
    }
    if (e instanceof S3Exception s3) {
      int status = s3.statusCode();
      if (status == 404 && key != null && !"NoSuchBucket".equals(errorCode(s3))) {
        return new ObjectNotFoundException(name, key, e);
      }
      if (status == 403) {
        return new AccessDeniedException(name, operation, key, e);
      }
    }
    return new StorageUnavailableException(name, operation, key, e);
  }

  private static @Nullable String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static String etag(@Nullable String etag) {
    if (etag == null) {
      return "";
    }
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1)
        : etag;
  }

  private static String contentType(@Nullable String contentType) {
    return contentType == null || contentType.isEmpty() ? "application/octet-stream" : contentType;
  }

  private static final class S3Reader implements ObjectReader {
    private final ObjectInfo info;
    private final long length;
    private final ResponseInputStream<GetObjectResponse> stream;
    private final AtomicBoolean done = new AtomicBoolean();

    S3Reader(ObjectInfo info, long length, ResponseInputStream<GetObjectResponse> stream) {
      this.info = info;
      this.length = length;
      this.stream = stream;
    }

    @Override
    public ObjectInfo info() {
      return info;
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public InputStream stream() {
      return stream;
    }

    @Override
    public void abort() {
      if (done.compareAndSet(false, true)) {
        stream.abort();
      }
    }

    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        try {
          stream.close();
        } catch (IOException | RuntimeException e) {
          stream.abort();
        }
      }
    }
  }

  /** Settings of an {@link S3ObjectStorage}; not thread-safe (use from one thread). */
  public static final class Builder {
    private final String name;
    private final String bucket;
    private @Nullable URI endpoint;
    private String region = "us-east-1";
    private @Nullable AwsCredentialsProvider credentials;
    private boolean pathStyle;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private long maxUploadBytes = MAX_SINGLE_PUT_BYTES;

    private Builder(String name, String bucket) {
      this.name = requireNonNull(name, "name");
      this.bucket = requireNonNull(bucket, "bucket");
      if (bucket.isBlank()) {
        throw new IllegalArgumentException("bucket must not be blank");
      }
    }

    /** The server's URL (an S3-compatible server); AWS's regional endpoint when not set. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The region requests are signed for; {@code us-east-1} when not set. */
    public Builder region(String region) {
      this.region = requireNonNull(region, "region");
      return this;
    }

    /**
     * Static credentials; without this, the SDK's default chain (environment, system properties,
     * profile files, container and instance roles) is used.
     */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.credentials =
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(
                  requireNonNull(accessKeyId, "accessKeyId"),
                  requireNonNull(secretAccessKey, "secretAccessKey")));
      return this;
    }

    /**
     * Path-style URLs ({@code endpoint/bucket/key}) instead of virtual-host style ({@code
     * bucket.endpoint/key}); most S3-compatible servers need it. Off by default.
     */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** How long connecting may take (10 s by default). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = requirePositive(timeout, "connectTimeout");
      return this;
    }

    /** How long a read may wait for bytes (60 s by default). */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = requirePositive(timeout, "readTimeout");
      return this;
    }

    /**
     * The largest upload, sent as one PUT ({@link #MAX_SINGLE_PUT_BYTES} by default, S3's limit;
     * lower it for a server with a smaller one). A larger upload fails with {@link
     * UploadTooLargeException} before anything is sent.
     */
    public Builder maxUploadBytes(long maxUploadBytes) {
      if (maxUploadBytes < 1 || maxUploadBytes > MAX_SINGLE_PUT_BYTES) {
        throw new IllegalArgumentException(
            "maxUploadBytes must be in 1.." + MAX_SINGLE_PUT_BYTES + ", was " + maxUploadBytes);
      }
      this.maxUploadBytes = maxUploadBytes;
      return this;
    }

    /** Makes the client and presigner (no request is sent). */
    public S3ObjectStorage build() {
      AwsCredentialsProvider provider =
          credentials != null ? credentials : DefaultCredentialsProvider.builder().build();
      Region awsRegion = Region.of(region);
      var clientBuilder =
          S3Client.builder()
              .httpClientBuilder(
                  UrlConnectionHttpClient.builder()
                      .connectionTimeout(connectTimeout)
                      .socketTimeout(readTimeout))
              .region(awsRegion)
              .credentialsProvider(provider)
              .forcePathStyle(pathStyle)
              .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
              .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      var presignerBuilder =
          S3Presigner.builder()
              .region(awsRegion)
              .credentialsProvider(provider)
              .serviceConfiguration(
                  S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
      if (endpoint != null) {
        clientBuilder.endpointOverride(endpoint);
        presignerBuilder.endpointOverride(endpoint);
      }
      return new S3ObjectStorage(
          name, bucket, clientBuilder.build(), presignerBuilder.build(), maxUploadBytes);
    }

    private static Duration requirePositive(Duration d, String field) {
      requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, was " + d);
      }
      return d;
    }
  }
}
