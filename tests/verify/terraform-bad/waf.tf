# Negative fixture: a web ACL with a rate rule alone: no logging configuration, no known-bad-inputs
# rule group (Log4j lookups pass).
resource "aws_wafv2_web_acl" "bad" {
  name  = "bad"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "rate"
    priority = 0
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 100000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "bad"
    sampled_requests_enabled   = true
  }
}
