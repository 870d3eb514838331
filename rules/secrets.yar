// Secrets: keys and tokens in the formats their providers document.
//
// `check` tells stowaway how to confirm a match before it reports it:
// - `token`: the match must be a whole token, neither preceded nor followed by a letter, digit
//   or one of `+/=_-`, so the same characters inside a checksum or a base64 blob do not count.
// - `assignment`: the assigned value must look random (mixed characters, entropy) and not be
//   a placeholder or a variable reference.
// - `none`: the match alone is enough.
// Values are masked before anything leaves the detector.

rule secret_private_key
{
    meta:
        id = "secret-private-key"
        severity = "high"
        kind = "secret"
        check = "none"
        description = "Private key in PEM or OpenSSH format"
    strings:
        $pem = /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----\r?\n[A-Za-z0-9+\/=:,\- \r\n]{64}/
        $pgp = /-----BEGIN PGP PRIVATE KEY BLOCK-----\r?\n/
    condition:
        any of them
}

rule secret_aws_access_key_id
{
    meta:
        id = "secret-aws-access-key-id"
        severity = "medium"
        kind = "secret"
        check = "token"
        description = "AWS access key id"
    strings:
        $id = /(AKIA|ASIA)[0-9A-Z]{16}/
    condition:
        $id
}

rule secret_aws_secret_access_key
{
    meta:
        id = "secret-aws-secret-access-key"
        severity = "critical"
        kind = "secret"
        check = "assignment"
        description = "AWS secret access key assigned to its usual name"
    strings:
        $key = /aws_?secret_?access_?key["']?\s{0,4}[:=]\s{0,4}["']?[A-Za-z0-9\/+]{40}/ nocase
    condition:
        $key
}

rule secret_gcp_service_account
{
    meta:
        id = "secret-gcp-service-account"
        severity = "high"
        kind = "secret"
        check = "none"
        description = "Google Cloud service account key file"
    strings:
        $type = /"type"\s{0,4}:\s{0,4}"service_account"/
        $key = /"private_key"\s{0,4}:\s{0,4}"-----BEGIN/
    condition:
        filesize < 64KB and $type and $key
}

rule secret_gcp_api_key
{
    meta:
        id = "secret-gcp-api-key"
        severity = "high"
        kind = "secret"
        check = "token"
        description = "Google API key"
    strings:
        $key = /AIza[0-9A-Za-z_\-]{35}/
    condition:
        $key
}

rule secret_azure_storage_key
{
    meta:
        id = "secret-azure-storage-key"
        severity = "high"
        kind = "secret"
        check = "none"
        description = "Azure storage account key in a connection string"
    strings:
        $key = /AccountKey=[A-Za-z0-9+\/]{86}==/
    condition:
        $key
}

rule secret_github_token
{
    meta:
        id = "secret-github-token"
        severity = "high"
        kind = "secret"
        check = "token"
        description = "GitHub personal access, OAuth, app or refresh token"
    strings:
        $classic = /(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}/
        $fine = /github_pat_[A-Za-z0-9_]{82}/
    condition:
        any of them
}

rule secret_gitlab_token
{
    meta:
        id = "secret-gitlab-token"
        severity = "high"
        kind = "secret"
        check = "token"
        description = "GitLab personal access token"
    strings:
        $token = /glpat-[A-Za-z0-9_\-]{20}/
    condition:
        $token
}

rule secret_slack_token
{
    meta:
        id = "secret-slack-token"
        severity = "high"
        kind = "secret"
        check = "token"
        description = "Slack bot, user or app token"
    strings:
        $token = /xox[abposr]-[0-9A-Za-z]{8,}-[0-9A-Za-z\-]{8,72}/
    condition:
        $token
}

rule secret_slack_webhook
{
    meta:
        id = "secret-slack-webhook"
        severity = "medium"
        kind = "secret"
        check = "token"
        description = "Slack incoming webhook URL"
    strings:
        $url = /hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{24}/
    condition:
        $url
}

rule secret_stripe_key
{
    meta:
        id = "secret-stripe-key"
        severity = "high"
        kind = "secret"
        check = "token"
        description = "Stripe live secret or restricted key"
    strings:
        $key = /(sk|rk)_live_[0-9A-Za-z]{24,99}/
    condition:
        $key
}

rule secret_alibaba_access_key
{
    meta:
        id = "secret-alibaba-access-key"
        severity = "high"
        kind = "secret"
        check = "token"
        description = "Alibaba Cloud access key id"
    strings:
        $key = /LTAI[A-Za-z0-9]{20}/
    condition:
        $key
}

rule secret_generic_assignment
{
    meta:
        id = "secret-generic-assignment"
        severity = "medium"
        kind = "secret"
        check = "assignment"
        description = "Random-looking value assigned to a password, secret, token or key name"
    strings:
        // NOTE: boreal 1.4.0 misses `api_key =` when the separator is written `_?` inside
        // this alternation, so each separator is spelled out as `(_|-|)`.
        $assign = /(password|passwd|secret|token|api(_|-|)key|access(_|-|)key|auth(_|-|)key|private(_|-|)key)["']?\s{0,4}[:=]\s{0,4}["']?[A-Za-z0-9\/+_.!@#%^*~\-]{12,128}/ nocase
    condition:
        filesize < 4MB and $assign
}
