# Load balancer: the official HAProxy image, same 2.6 line as Debian bookworm's package
# that `make run-production` uses; configuration generated from the shared template
# (python -m bot.cluster.compose).
# Build from the repository root:  docker build -f deploy/docker/haproxy.Dockerfile -t gruendungslotse-haproxy .
FROM haproxy:2.6.12

COPY deploy/compose/haproxy.cfg /usr/local/etc/haproxy/haproxy.cfg
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["haproxy", "-c", "-q", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
