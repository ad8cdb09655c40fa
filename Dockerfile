# kycmatch as a static, non-root binary on distroless. Not built in CI (no
# container engine there); build with: docker build -t kycmatch .
#
# Run with a read-only root file system, the data directory as a volume and
# the keyring as a mounted secret, e.g.
#   docker run --read-only --cap-drop=ALL --security-opt=no-new-privileges \
#     -v kycmatch-data:/var/lib/kycmatch \
#     -v /etc/kycmatch/keyring:/run/secrets/keyring:ro \
#     --env-file /etc/kycmatch/kycmatch.env -p 8080:8080 kycmatch serve

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git is not sent (see .dockerignore): the build carries no VCS stamp.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o /out/kycmatch ./cmd/kycmatch \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kycmatch /usr/local/bin/kycmatch
COPY --from=build --chown=65532:65532 /out/data /var/lib/kycmatch
USER 65532:65532
ENV KYCMATCH_DATA=/var/lib/kycmatch \
    KYCMATCH_KEYRING=/run/secrets/keyring \
    KYCMATCH_ADDR=0.0.0.0:8080 \
    KYCMATCH_ADMIN_ADDR=0.0.0.0:9090
VOLUME /var/lib/kycmatch
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/kycmatch"]
CMD ["serve"]
