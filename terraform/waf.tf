# AWS WAF on the shop's ALB (REGIONAL). The ALB Controller associates it through the ingress
# annotation wafv2-acl-arn, whose value comes from Terraform (terraform/chart_values.tf).
# Rules in order: our own blocks (IP set, countries), AWS IP reputation, per-IP rate limits,
# then the AWS managed rule groups. Reading its metrics and tightening it: docs/runbook.md#under-attack.

variable "waf_rate_limit_per_ip" {
  description = <<-EOT
    Requests per client IP per 5 minutes, any path. A storefront page view costs at most ~34
    requests (the document, ~5 assets on a first visit, 4 API calls, 24 product images through
    /media); a shopper flipping catalog pages every 2 s for 5 minutes straight makes 150 x 25 =
    3,750 once the assets are cached, an ordinary one (a page every 10 s) ~750. 6,000 is above the
    fastest single shopper and a NAT shared by 7 ordinary ones (5,250); one address is cut off
    past 20 requests/s sustained, so a 10,000 requests/s flood needs 500 addresses or more.
  EOT
  type        = number
  default     = 6000
}

variable "waf_auth_rate_limit_per_ip" {
  description = "Sign-in and registration POSTs per client IP per 5 minutes (credential stuffing). A person signs in a few times a day; a NAT of 30 people who each mistype twice stays under 100. The backend's own limit (ECOMM_AUTH_PER_MINUTE) is per pod."
  type        = number
  default     = 100
}

variable "waf_blocked_ips" {
  description = "CIDRs blocked outright (IPv4). Empty by default; docs/runbook.md#under-attack."
  type        = list(string)
  default     = []
}

variable "waf_blocked_countries" {
  description = "ISO 3166-1 alpha-2 country codes blocked outright. Empty by default; docs/runbook.md#under-attack."
  type        = list(string)
  default     = []
}

locals {
  waf_metric = var.name
  # The problem+json the rate rules answer with (HTTP 429 and Retry-After).
  waf_too_many_requests = jsonencode({
    type   = "about:blank"
    title  = "Too Many Requests"
    status = 429
    detail = "Too many requests from this address. Retry after the number of seconds in Retry-After."
  })
}

resource "aws_wafv2_ip_set" "blocked" {
  name               = "${var.name}-blocked"
  description        = "Client addresses blocked by on-call (docs/runbook.md#under-attack)"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = var.waf_blocked_ips
}

# Our own NAT gateways: the runbook's load drills run from inside the VPC and reach the shop from
# these addresses. Exempt from the rate rules only; every other rule still applies.
resource "aws_wafv2_ip_set" "own_nat" {
  name               = "${var.name}-own-nat"
  description        = "The VPC's NAT gateway addresses (load drills), exempt from the rate rules"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = [for ip in module.vpc.nat_public_ips : "${ip}/32"]
}

resource "aws_wafv2_web_acl" "shop" {
  name        = var.name
  description = "ecomm storefront and API (ALB)"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  custom_response_body {
    key          = "too-many-requests"
    content_type = "APPLICATION_JSON"
    content      = local.waf_too_many_requests
  }

  rule {
    name     = "block-ip-set"
    priority = 0
    action {
      block {}
    }
    statement {
      ip_set_reference_statement {
        arn = aws_wafv2_ip_set.blocked.arn
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-block-ip-set"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = length(var.waf_blocked_countries) > 0 ? [1] : []
    content {
      name     = "block-countries"
      priority = 1
      action {
        block {}
      }
      statement {
        geo_match_statement {
          country_codes = var.waf_blocked_countries
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.waf_metric}-block-countries"
        sampled_requests_enabled   = true
      }
    }
  }

  rule {
    name     = "aws-ip-reputation"
    priority = 2
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-aws-ip-reputation"
      sampled_requests_enabled   = true
    }
  }

  # The ALB is the edge (no CDN in front), so the address WAF sees is the client's own: IP, not
  # FORWARDED_IP, which a client could set to anything.
  rule {
    name     = "rate-auth-per-ip"
    priority = 3
    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "too-many-requests"
          response_header {
            name  = "Retry-After"
            value = "300"
          }
        }
      }
    }
    statement {
      rate_based_statement {
        limit                 = var.waf_auth_rate_limit_per_ip
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
        scope_down_statement {
          and_statement {
            statement {
              byte_match_statement {
                search_string         = "/api/auth/"
                positional_constraint = "STARTS_WITH"
                field_to_match {
                  uri_path {}
                }
                text_transformation {
                  priority = 0
                  type     = "NORMALIZE_PATH"
                }
              }
            }
            statement {
              byte_match_statement {
                search_string         = "POST"
                positional_constraint = "EXACTLY"
                field_to_match {
                  method {}
                }
                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
            statement {
              not_statement {
                statement {
                  ip_set_reference_statement {
                    arn = aws_wafv2_ip_set.own_nat.arn
                  }
                }
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-rate-auth-per-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-per-ip"
    priority = 4
    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "too-many-requests"
          response_header {
            name  = "Retry-After"
            value = "60"
          }
        }
      }
    }
    statement {
      rate_based_statement {
        limit                 = var.waf_rate_limit_per_ip
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
        scope_down_statement {
          not_statement {
            statement {
              ip_set_reference_statement {
                arn = aws_wafv2_ip_set.own_nat.arn
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-rate-per-ip"
      sampled_requests_enabled   = true
    }
  }

  # Core rule set. SizeRestrictions_BODY (body over 8 KB) only counts here and is enforced by the
  # next rule outside the back office: an image upload is up to 5 MB, and a product's JSON may pass
  # 8 KB (a 5,000-character description in non-Latin script). The backend bounds both (64 KiB JSON,
  # 10 MiB on the image route) and the admin routes need an admin session.
  rule {
    name     = "aws-common"
    priority = 5
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "body-size-outside-admin"
    priority = 6
    action {
      block {}
    }
    statement {
      and_statement {
        statement {
          label_match_statement {
            scope = "LABEL"
            key   = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
          }
        }
        statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = "/api/admin/"
                positional_constraint = "STARTS_WITH"
                field_to_match {
                  uri_path {}
                }
                # "/api/admin/../cart" is the cart, not the back office.
                text_transformation {
                  priority = 0
                  type     = "NORMALIZE_PATH"
                }
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-body-size-outside-admin"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 7
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-aws-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-sqli"
    priority = 8
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesSQLiRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}-aws-sqli"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.waf_metric
    sampled_requests_enabled   = true
  }
}
