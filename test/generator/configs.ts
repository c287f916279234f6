/** Configs the snapshot and validity tests run over; each shows one feature. */
export const CONFIGS: Record<string, string> = {
  example: '', // filled from examples/gitops-dispatch.yml by the tests
  'three-environments': `upstream:
  repository: acme/shop
  image: ghcr.io/acme/shop
  dockerfile: docker/Dockerfile
  context: services/shop
downstream: { repository: acme/deploy, branch: trunk }
environments:
  dev:     { tag: '.*-dev', files: environments/dev/values.yaml, on: { branch: main } }
  staging: { tag: '.*-rc', files: environments/staging/values.yaml, on: { branch: release }, from: ref, suffix: '-rc' }
  prod:    { tag: '[0-9]+\\.[0-9]+\\.[0-9]+-stable', files: environments/prod/values.yaml, on: { tag: 'v*' }, suffix: -stable, only-newer: true }
`,
  'custom-paths': `upstream: { repository: acme/api, image: registry.example.com/team/api }
downstream: { repository: acme/infra }
secrets: { token: INFRA_DISPATCH_PAT, registry-username: EXAMPLE_REGISTRY_USER, registry-password: EXAMPLE_REGISTRY_PASSWORD }
environments:
  qa:
    tag: 'qa-.*'
    prefix: qa-
    example-tag: qa-4f2c1e0
    files: [apps/api/qa/*.yaml, apps/api/qa-eu/values.yaml]
    yaml-path: deployment.containers.api.imageTag
    on: { branch: develop }
  live:
    tag: 'v[0-9]+\\.[0-9]+\\.[0-9]+'
    files: apps/api/live/values.yaml
    regex: 'imageTag: "(?<docker_image_tag>[^"]*)"'
    on: { tag: 'v*' }
    from: ref
`,
  kustomize: `upstream: { repository: acme/web, image: ghcr.io/acme/web }
downstream: { repository: acme/k8s }
environments:
  dev:  { tag: '.*-dev', files: overlays/dev/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
  prod: { tag: '.*-stable', files: overlays/prod/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
`,
  'pull-request': `upstream: { repository: acme/billing, image: ghcr.io/acme/billing }
downstream: { repository: acme/billing-gitops }
environments:
  dev:  { tag: '.*-dev', files: environments/dev/values.yaml }
  prod: { tag: '.*-stable', files: environments/prod/values.yaml, pull-request: true, only-newer: { strip-suffix: -stable } }
`,
  'custom-event-type': `upstream: { repository: acme/search, image: ghcr.io/acme/search }
downstream: { repository: acme/search-gitops }
event-type: search-image-pushed
actions: { ref: acme/gitops-dispatch-fork@v2.1.0 }
environments:
  dev: { tag: '.*-dev', files: environments/dev/values.yaml }
`,
  vendor: `upstream: { repository: acme/cart, image: ghcr.io/acme/cart }
downstream: { repository: acme/cart-gitops }
actions: { vendor: true }
environments:
  dev:  { tag: '.*-dev', files: environments/dev/values.yaml }
  prod: { tag: '.*-stable', files: environments/prod/values.yaml }
`,
  'app-token': `upstream: { repository: acme/pay, image: ghcr.io/acme/pay }
downstream: { repository: acme/pay-gitops }
token: app
environments:
  dev:  { tag: '.*-dev', files: environments/dev/values.yaml }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, pull-request: true }
`,
  'semver-prerelease': `upstream: { repository: acme/shop, image: ghcr.io/acme/shop }
downstream: { repository: acme/shop-gitops }
environments:
  dev: { tag: 'sha-[0-9a-f]{7}', files: environments/dev/values.yaml, on: { branch: main } }
  staging: { tag: '\\d+\\.\\d+\\.\\d+-.+', files: environments/staging/values.yaml, on: { tag: 'v*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' }, pull-request: true }
`,
  'release-branches': `upstream: { repository: acme/shop, image: ghcr.io/acme/shop }
downstream: { repository: acme/shop-gitops }
environments:
  staging: { tag: 'release-.+-[0-9a-f]{7}', files: environments/staging/values.yaml, on: { branch: 'release/*' } }
  preview: { tag: 'v2-.*', files: environments/preview/values.yaml, on: { tag: 'v2-*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' } }
`,
  calver: `upstream: { repository: acme/shop, image: ghcr.io/acme/shop }
downstream: { repository: acme/shop-gitops }
environments:
  staging: { tag: '.*-staging', files: environments/staging/values.yaml, on: { tag: 'rc-*' } }
  prod: { tag: '\\d{4}\\.\\d{2}\\.\\d{2}-\\d+', files: environments/prod/values.yaml, on: { tag: '20*' } }
`,
  'commit-api': `upstream: { repository: acme/big, image: ghcr.io/acme/big }
downstream: { repository: acme/monorepo-gitops }
commit-method: api
environments:
  dev:  { tag: '.*-dev', files: apps/big/dev/values.yaml }
  prod: { tag: '.*-stable', files: apps/big/prod/values.yaml, pull-request: true }
`,
  argocd: `upstream: { repository: acme/web, image: ghcr.io/acme/web }
downstream: { repository: acme/k8s }
argocd:
  server: argocd.acme.example
  app: { dev: web-dev, prod: web-prod }
  wait: true
  timeout: 300
environments:
  dev:  { tag: '.*-dev', files: overlays/dev/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
  prod: { tag: '.*-stable', files: overlays/prod/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
`,
  deployments: `upstream: { repository: acme/shop, image: ghcr.io/acme/shop, wait: true, deployment: true }
downstream: { repository: acme/shop-gitops }
environments:
  dev: { tag: '[0-9a-f]{40}', files: environments/dev/values.yaml, on: { branch: main } }
  staging: { tag: '\\d+\\.\\d+\\.\\d+-.+', files: environments/staging/values.yaml, on: { tag: 'v*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' }, pull-request: true }
`,
};
