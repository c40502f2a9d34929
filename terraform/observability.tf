# CloudWatch dashboard + alarms. Container Insights (amazon-cloudwatch-observability add-on)
# provides pod CPU/memory; its Prometheus scraping publishes the backend's /metrics counters
# (ecomm_orders_total, ecomm_inventory_updates_total); the ALB publishes latency and 5xx.

variable "alb_arn_suffix" {
  description = "ARN suffix (app/NAME/ID) of the ALB created by the Load Balancer Controller for the ecomm ingress group."
  type        = string
  default     = "app/k8s-ecomm-0123456789/0123456789abcdef"
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.sns.arn
}

resource "aws_sns_topic_subscription" "oncall" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "pod_cpu_high" {
  alarm_name          = "${var.name}-backend-pod-cpu-over-80pct-of-limit"
  alarm_description   = "Backend pod CPU > 80% of its limit for 2 periods. Runbook: docs/runbook.md#high-cpu (section \"High CPU (pod CPU > 80% of limit)\")."
  namespace           = "ContainerInsights"
  metric_name         = "pod_cpu_utilization_over_pod_limit"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    ClusterName = module.eks.cluster_name
    Namespace   = var.app_namespace
    Service     = "ecomm-backend"
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "5xx responses (targets + ALB) above 1% of requests. Also the stop condition of every FIS experiment. Runbook: docs/runbook.md#errors (section \"5xx errors / readiness failing\")."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1
  evaluation_periods  = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / FILL(req, 1)"
    label       = "5xx %"
    return_data = true
  }
  metric_query {
    id = "t5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
    }
  }
  metric_query {
    id = "e5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
    }
  }
  metric_query {
    id = "req"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
    }
  }
}

resource "aws_cloudwatch_dashboard" "ecomm" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title  = "Pod CPU (% of limit)"
          region = var.region
          stat   = "Average"
          period = 60
          metrics = [
            ["ContainerInsights", "pod_cpu_utilization_over_pod_limit", "ClusterName", var.name, "Namespace", var.app_namespace, "Service", "ecomm-backend"],
            ["ContainerInsights", "pod_cpu_utilization_over_pod_limit", "ClusterName", var.name, "Namespace", var.app_namespace, "Service", "ecomm-frontend"],
          ]
          annotations = { horizontal = [{ value = 80, label = "alarm" }] }
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title  = "Latency (ALB target response time)"
          region = var.region
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p50", label = "p50" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p99", label = "p99" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 8, height = 6
        properties = {
          title  = "5xx per minute"
          region = var.region
          stat   = "Sum"
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.alb_arn_suffix],
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.alb_arn_suffix],
          ]
        }
      },
      {
        type = "metric", x = 8, y = 6, width = 8, height = 6
        properties = {
          title   = "Orders per minute"
          region  = var.region
          stat    = "Sum"
          period  = 60
          metrics = [["ContainerInsights/Prometheus", "ecomm_orders_total", "ClusterName", var.name, "Namespace", var.app_namespace]]
        }
      },
      {
        type = "metric", x = 16, y = 6, width = 8, height = 6
        properties = {
          title   = "Inventory updates per minute"
          region  = var.region
          stat    = "Sum"
          period  = 60
          metrics = [["ContainerInsights/Prometheus", "ecomm_inventory_updates_total", "ClusterName", var.name, "Namespace", var.app_namespace]]
        }
      },
      {
        type = "alarm", x = 0, y = 12, width = 24, height = 3
        properties = {
          title  = "Alarms"
          alarms = [aws_cloudwatch_metric_alarm.pod_cpu_high.arn, aws_cloudwatch_metric_alarm.alb_5xx.arn]
        }
      },
    ]
  })
}

# X-Ray through ADOT: the backend exports OTLP (ECOMM_OTLP_ENDPOINT) to an ADOT collector in
# amazon-cloudwatch, which forwards traces to X-Ray with its own Pod Identity role.
module "adot_pod_identity" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "1.10.0"

  name = "${var.name}-adot"
  additional_policy_arns = {
    xray = "arn:${local.partition}:iam::aws:policy/AWSXrayWriteOnlyAccess"
  }

  associations = {
    this = {
      cluster_arn     = module.eks.cluster_arn
      cluster_name    = module.eks.cluster_name
      namespace       = "amazon-cloudwatch"
      service_account = "adot-collector"
    }
  }
}
