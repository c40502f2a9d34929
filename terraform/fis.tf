# AWS FIS chaos experiments against the backend pods; each stops on the 5xx alarm.
resource "aws_iam_role" "fis" {
  name = "${var.name}-fis"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "fis.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "fis" {
  name = "fis-eks"
  role = aws_iam_role.fis.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["eks:DescribeCluster"]
        Resource = module.eks.cluster_arn
      },
      {
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarms"]
        Resource = aws_cloudwatch_metric_alarm.alb_5xx.arn
      },
    ]
  })
}

# FIS acts inside the cluster as this identity (Kubernetes RBAC: fis-experiment in prod).
resource "aws_eks_access_entry" "fis" {
  cluster_name      = module.eks.cluster_name
  principal_arn     = aws_iam_role.fis.arn
  kubernetes_groups = ["ecomm:fis"]
  type              = "STANDARD"
}

locals {
  fis_target = {
    resource_type  = "aws:eks:pod"
    selection_mode = "PERCENT(50)"
    parameters = {
      clusterIdentifier = module.eks.cluster_arn
      namespace         = var.app_namespace
      selectorType      = "labelSelector"
      selectorValue     = "app.kubernetes.io/component=backend"
    }
  }
}

resource "aws_fis_experiment_template" "delete_backend_pods" {
  description = "Delete 50% of the backend pods; the shop must keep serving (PDB, HPA, ALB health checks)."
  role_arn    = aws_iam_role.fis.arn

  stop_condition {
    source = "aws:cloudwatch:alarm"
    value  = aws_cloudwatch_metric_alarm.alb_5xx.arn
  }

  target {
    name           = "backend-pods"
    resource_type  = local.fis_target.resource_type
    selection_mode = local.fis_target.selection_mode
    parameters     = local.fis_target.parameters
  }

  action {
    name      = "delete-pods"
    action_id = "aws:eks:pod-delete"
    parameter {
      key   = "kubernetesServiceAccount"
      value = "fis-experiment"
    }
    parameter {
      key   = "gracePeriodSeconds"
      value = "0"
    }
    target {
      key   = "Pods"
      value = "backend-pods"
    }
  }

  tags = { Name = "${var.name}-delete-backend-pods" }
}

resource "aws_fis_experiment_template" "cpu_stress_backend" {
  description = "CPU stress on 50% of the backend pods for 5 minutes; HPA must scale out, alarm must fire."
  role_arn    = aws_iam_role.fis.arn

  stop_condition {
    source = "aws:cloudwatch:alarm"
    value  = aws_cloudwatch_metric_alarm.alb_5xx.arn
  }

  target {
    name           = "backend-pods"
    resource_type  = local.fis_target.resource_type
    selection_mode = local.fis_target.selection_mode
    parameters     = local.fis_target.parameters
  }

  action {
    name      = "cpu-stress"
    action_id = "aws:eks:pod-cpu-stress"
    parameter {
      key   = "kubernetesServiceAccount"
      value = "fis-experiment"
    }
    parameter {
      key   = "duration"
      value = "PT5M"
    }
    parameter {
      key   = "percent"
      value = "90"
    }
    parameter {
      key   = "workers"
      value = "1"
    }
    target {
      key   = "Pods"
      value = "backend-pods"
    }
  }

  tags = { Name = "${var.name}-cpu-stress-backend" }
}

# In-cluster identity FIS uses for the pod actions (least privilege, namespace-scoped).
resource "kubernetes_service_account_v1" "fis" {
  metadata {
    name      = "fis-experiment"
    namespace = var.app_namespace
  }
  automount_service_account_token = false
}

resource "kubernetes_role_v1" "fis" {
  metadata {
    name      = "fis-experiment"
    namespace = var.app_namespace
  }
  rule {
    api_groups = [""]
    resources  = ["configmaps"]
    verbs      = ["get", "create", "patch", "delete"]
  }
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["create", "list", "get", "delete", "deletecollection"]
  }
  rule {
    api_groups = [""]
    resources  = ["pods/ephemeralcontainers"]
    verbs      = ["update"]
  }
  rule {
    api_groups = [""]
    resources  = ["pods/exec"]
    verbs      = ["create"]
  }
  rule {
    api_groups = ["apps"]
    resources  = ["deployments"]
    verbs      = ["get"]
  }
}

resource "kubernetes_role_binding_v1" "fis" {
  metadata {
    name      = "fis-experiment"
    namespace = var.app_namespace
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.fis.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.fis.metadata[0].name
    namespace = var.app_namespace
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "ecomm:fis"
  }
}
