# syntax=docker/dockerfile:1
#
# ticker's image: the gateway (/ticker, the entrypoint) and the feed simulator
# (/feedsim) as static binaries on an empty base, running as an unprivileged
# user. deploy/k8s runs the gateway from it, and the load-test Job runs
# /feedsim from the same image.
#
#   docker build -t ticker:dev .
#   docker run --rm -p 8080:8080 ticker:dev            # embedded NATS and feed
#   docker run --rm ticker:dev --nats-url nats://nats:4222

# Build on the builder's own platform and cross-compile: no emulation needed
# for a multi-platform image.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src

# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
# CGO_ENABLED=0: static binaries (no dynamic loader in a scratch image);
# deploy/k8s's TestBinariesAreStatic checks that they stay so.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w" -o /out/ ./cmd/ticker ./cmd/feedsim

# The embedded mode keeps JetStream in a temporary directory: give the image
# a /tmp (Kubernetes mounts an emptyDir over it, the root being read-only).
RUN mkdir -p /out/tmp && chmod 1777 /out/tmp

FROM scratch
# TLS to NATS, JWKS and any https peer needs the CA roots.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build /out/ticker /out/feedsim /
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/ticker"]
