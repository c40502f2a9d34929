# The web ACL's logs and the alarm on its rate rules (the ACL: terraform/waf.tf).

# Logs: WAF requires the aws-waf-logs- prefix. Only the requests a rule blocked or counted are
# kept (every request is in the ALB's access logs already), with credentials redacted.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn
}

data "aws_iam_policy_document" "waf_logs" {
  statement {
    sid       = "WafLogDelivery"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.waf.arn}:*"]
    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "waf" {
  policy_name     = "${var.name}-waf-logs"
  policy_document = data.aws_iam_policy_document.waf_logs.json
}

resource "aws_wafv2_web_acl_logging_configuration" "shop" {
  resource_arn            = aws_wafv2_web_acl.shop.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }

  logging_filter {
    default_behavior = "DROP"
    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"
      condition {
        action_condition {
          action = "BLOCK"
        }
      }
      condition {
        action_condition {
          action = "COUNT"
        }
      }
      condition {
        action_condition {
          action = "EXCLUDED_AS_COUNT"
        }
      }
    }
  }

  depends_on = [aws_cloudwatch_log_resource_policy.waf]
}

resource "aws_cloudwatch_metric_alarm" "waf_rate_limited" {
  alarm_name          = "${var.name}-waf-rate-limited"
  alarm_description   = "The WAF's per-IP rate rules blocked over 1,000 requests in 5 minutes: a flood, or a limit that real shoppers reach. Runbook: docs/runbook.md#under-attack (section \"Under attack\")."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1000
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "limited"
    expression  = "FILL(ip, 0) + FILL(auth, 0)"
    label       = "Requests blocked by the rate rules"
    return_data = true
  }
  metric_query {
    id = "ip"
    metric {
      namespace   = "AWS/WAFV2"
      metric_name = "BlockedRequests"
      period      = 300
      stat        = "Sum"
      dimensions  = { WebACL = local.waf_metric, Region = var.region, Rule = "${local.waf_metric}-rate-per-ip" }
    }
  }
  metric_query {
    id = "auth"
    metric {
      namespace   = "AWS/WAFV2"
      metric_name = "BlockedRequests"
      period      = 300
      stat        = "Sum"
      dimensions  = { WebACL = local.waf_metric, Region = var.region, Rule = "${local.waf_metric}-rate-auth-per-ip" }
    }
  }
}
