# wxtoken's container image. Build the jar first, then the image (Docker, Podman or Buildah):
#   mvn -B -DskipTests -pl wxtoken-server -am package
#   docker build -t wxtoken:0.2.0 .
# The base is any image with a Java 17+ runtime and bash on PATH (BASE_IMAGE); CI builds it from
# Debian packages. Settings come from the environment (WXTOKEN_*; see README, "Configuration").
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG VERSION=0.2.0-SNAPSHOT
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="wxtoken" \
      org.opencontainers.image.description="Central WeChat access_token server with an Authing-compatible API" \
      org.opencontainers.image.source="https://github.com/wxtoken/wxtoken" \
      org.opencontainers.image.url="https://github.com/wxtoken/wxtoken" \
      org.opencontainers.image.documentation="https://github.com/wxtoken/wxtoken#install" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0"

COPY wxtoken-dist/src/dist/bin/wxtoken /opt/wxtoken/bin/wxtoken
COPY wxtoken-server/target/wxtoken.jar /opt/wxtoken/lib/wxtoken.jar
COPY wxtoken-dist/src/build/cds-archive.sh /opt/wxtoken/build/cds-archive.sh
COPY LICENSE /opt/wxtoken/LICENSE

# The class-data sharing archive of the server's start, made by this image's own JVM (an archive
# fits only the JVM build that wrote it); the launcher uses it. /data belongs to the service's
# user, and only to it: it holds the store and the master key.
RUN set -eu; \
    bash /opt/wxtoken/build/cds-archive.sh java /opt/wxtoken/lib/wxtoken.jar /opt/wxtoken/lib/wxtoken.jsa; \
    rm -rf /opt/wxtoken/build; \
    chmod -R a+rX,go-w /opt/wxtoken; \
    mkdir -p /data; chown 10001:10001 /data; chmod 700 /data

# Inside a container: listen on every interface, keep the store in the volume, size the heap from
# the container's memory limit (the JVM reads cgroup limits; half of it, leaving the rest to
# metaspace, code and thread stacks), the serial collector, and exit (to be restarted) rather
# than limp on after running out of heap.
ENV WXTOKEN_HOST=0.0.0.0 \
    WXTOKEN_PORT=8080 \
    WXTOKEN_STORE=file:/data \
    WXTOKEN_JAVA_OPTS="-XX:+UseSerialGC -Xms16m -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" \
    HOME=/data \
    LANG=C.UTF-8
VOLUME ["/data"]
WORKDIR /data
# A numeric user, so Kubernetes' runAsNonRoot can check it; no passwd entry is needed.
USER 10001:10001
EXPOSE 8080

# bash's /dev/tcp rather than a second JVM (or curl, which JRE images may lack): a check every
# 30 s must not need tens of megabytes inside a container's memory limit.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${WXTOKEN_PORT:-8080} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/opt/wxtoken/bin/wxtoken"]
CMD ["serve"]
