# Cluster add-ons installed with Helm, every chart version pinned.

resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = "1.11.0"
  wait       = true

  values = [yamlencode({
    clusterName = module.eks.cluster_name
    region      = var.region
    vpcId       = module.vpc.vpc_id
    serviceAccount = {
      create = true
      name   = "aws-load-balancer-controller"
    }
    enableServiceMutatorWebhook = false
    replicaCount                = 2
    tolerations                 = [{ key = "CriticalAddonsOnly", operator = "Exists" }]
  })]

  depends_on = [module.lb_controller_pod_identity]
}

resource "helm_release" "karpenter" {
  name       = "karpenter"
  namespace  = "karpenter"
  repository = "oci://public.ecr.aws/karpenter"
  chart      = "karpenter"
  version    = "1.1.1"
  wait       = true

  create_namespace = true

  values = [yamlencode({
    settings = {
      clusterName       = module.eks.cluster_name
      clusterEndpoint   = module.eks.cluster_endpoint
      interruptionQueue = module.karpenter.queue_name
    }
    serviceAccount = { name = module.karpenter.service_account }
    tolerations    = [{ key = "CriticalAddonsOnly", operator = "Exists" }]
    nodeSelector   = { "ecomm.io/pool" = "system" }
    replicas       = 2
  })]
}

resource "helm_release" "gatekeeper" {
  name       = "gatekeeper"
  namespace  = "gatekeeper-system"
  repository = "https://open-policy-agent.github.io/gatekeeper/charts"
  chart      = "gatekeeper"
  version    = "3.18.2"
  wait       = true

  create_namespace = true

  values = [yamlencode({
    replicas                       = 3
    auditInterval                  = 60
    constraintViolationsLimit      = 50
    validatingWebhookFailurePolicy = "Fail"
    controllerManager = {
      tolerations = [{ key = "CriticalAddonsOnly", operator = "Exists" }]
    }
  })]
}

# The admission policies of this repository (policies/gatekeeper): the ConstraintTemplates chart,
# then, once Gatekeeper has made a constraint kind of each template, the Constraints chart. The
# content hash is passed as a value so that any change to a policy file upgrades its release.
locals {
  gatekeeper_policies = "${path.module}/../policies/gatekeeper"
  gatekeeper_templates_sha1 = sha1(join("", [
    for f in sort(fileset("${local.gatekeeper_policies}/templates", "*.yaml")) : filesha1("${local.gatekeeper_policies}/templates/${f}")
  ]))
  gatekeeper_constraints_sha1 = sha1(join("", [
    for f in sort(fileset("${local.gatekeeper_policies}/constraints/templates", "*.yaml")) : filesha1("${local.gatekeeper_policies}/constraints/templates/${f}")
  ]))
}

resource "helm_release" "gatekeeper_templates" {
  name      = "ecomm-gatekeeper-templates"
  namespace = "gatekeeper-system"
  chart     = local.gatekeeper_policies
  wait      = true

  values = [yamlencode({ contentSha1 = local.gatekeeper_templates_sha1 })]

  depends_on = [helm_release.gatekeeper]
}

# Gatekeeper creates each template's constraint CRD asynchronously; Helm refuses a Constraint
# whose kind the API server does not serve yet ("no matches for kind").
resource "time_sleep" "gatekeeper_constraint_kinds" {
  create_duration = "45s"
  triggers        = { templates = local.gatekeeper_templates_sha1 }

  depends_on = [helm_release.gatekeeper_templates]
}

resource "helm_release" "gatekeeper_constraints" {
  name      = "ecomm-gatekeeper-constraints"
  namespace = "gatekeeper-system"
  chart     = "${local.gatekeeper_policies}/constraints"
  wait      = true

  values = [yamlencode({ contentSha1 = local.gatekeeper_constraints_sha1 })]

  depends_on = [time_sleep.gatekeeper_constraint_kinds]
}

resource "helm_release" "secrets_store_csi_driver" {
  name       = "secrets-store-csi-driver"
  namespace  = "kube-system"
  repository = "https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts"
  chart      = "secrets-store-csi-driver"
  version    = "1.4.7"
  wait       = true

  values = [yamlencode({
    syncSecret           = { enabled = true }
    enableSecretRotation = true
    rotationPollInterval = "120s"
  })]
}

resource "helm_release" "secrets_store_csi_provider_aws" {
  name       = "secrets-provider-aws"
  namespace  = "kube-system"
  repository = "https://aws.github.io/secrets-store-csi-driver-provider-aws"
  chart      = "secrets-store-csi-driver-provider-aws"
  version    = "0.3.11"
  wait       = true

  depends_on = [helm_release.secrets_store_csi_driver]
}

resource "helm_release" "adot_collector" {
  name       = "adot-collector"
  namespace  = "amazon-cloudwatch"
  repository = "https://open-telemetry.github.io/opentelemetry-helm-charts"
  chart      = "opentelemetry-collector"
  version    = "0.111.2"
  wait       = true

  create_namespace = true

  values = [yamlencode({
    fullnameOverride = "adot-collector"
    mode             = "deployment"
    replicaCount     = 2
    image = {
      repository = "public.ecr.aws/aws-observability/aws-otel-collector"
      tag        = "v0.42.0"
    }
    command        = { name = "awscollector" }
    serviceAccount = { create = true, name = "adot-collector" }
    config = {
      receivers  = { otlp = { protocols = { grpc = { endpoint = "0.0.0.0:4317" } } } }
      processors = { batch = {} }
      exporters  = { awsxray = { region = var.region } }
      service = {
        pipelines = {
          traces = { receivers = ["otlp"], processors = ["batch"], exporters = ["awsxray"] }
        }
      }
    }
  })]

  depends_on = [module.adot_pod_identity]
}
