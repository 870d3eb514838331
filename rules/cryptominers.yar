// Cryptocurrency miners: binaries, configurations, pool URLs and command lines.
//
// Every rule carries `id` (stable, kebab-case), `severity` (low, medium, high, critical),
// `kind` (malware, suspicious) and a one-line `description`. docs/detections.md lists the ids.

rule miner_stratum_url
{
    meta:
        id = "miner-stratum-url"
        severity = "high"
        kind = "malware"
        description = "Mining pool URL with the stratum protocol"
    strings:
        $url = /stratum\+(tcp|ssl|tls):\/\/[A-Za-z0-9.\-]{1,253}:[0-9]{2,5}/ nocase
    condition:
        $url
}

rule miner_pool_domain
{
    meta:
        id = "miner-pool-domain"
        severity = "high"
        kind = "malware"
        description = "Host name of a public cryptocurrency mining pool"
    strings:
        $p1 = "supportxmr.com" nocase
        $p2 = "moneroocean.stream" nocase
        $p3 = "minexmr.com" nocase
        $p4 = "xmrpool.eu" nocase
        $p5 = "nanopool.org" nocase
        $p6 = "hashvault.pro" nocase
        $p7 = "c3pool.com" nocase
        $p8 = "herominers.com" nocase
        $p9 = "2miners.com" nocase
        $p10 = "f2pool.com" nocase
        $p11 = "minergate.com" nocase
        $p12 = "unmineable.com" nocase
        $p13 = "nicehash.com" nocase
        $p14 = "ethermine.org" nocase
        $p15 = "dwarfpool.com" nocase
        $p16 = "monerohash.com" nocase
    condition:
        any of them
}

rule miner_config
{
    meta:
        id = "miner-config"
        severity = "high"
        kind = "malware"
        description = "Miner configuration file in the XMRig JSON layout"
    strings:
        $pools = "\"pools\"" 
        $url = "\"url\""
        $user = "\"user\""
        $k1 = "\"donate-level\""
        $k2 = "\"randomx\""
        $k3 = "\"algo\""
        $k4 = "\"coin\""
        $k5 = "\"nicehash\""
    condition:
        filesize < 1MB and $pools and $url and $user and 2 of ($k*)
}

rule miner_cli_options
{
    meta:
        id = "miner-cli-options"
        severity = "high"
        kind = "malware"
        description = "Command line with options that only miners take"
    strings:
        $o1 = "--donate-level"
        $o2 = "--cpu-max-threads-hint"
        $o3 = "--max-cpu-usage"
        $o4 = "--randomx-mode"
        $o5 = /--algo[= ](rx\/0|cn\/r|randomx|cryptonight)/
        $o6 = /(^|\s)-a (rx\/0|cn\/r|randomx|cryptonight)\b/
        $o7 = /--coin[= ](monero|xmr)\b/ nocase
        $o8 = /(^|\s)(-o|--url)[= ]stratum\+/
    condition:
        filesize < 8MB and 2 of them
}

rule miner_wallet_in_miner_context
{
    meta:
        id = "miner-wallet"
        severity = "high"
        kind = "malware"
        description = "Monero wallet address given as a miner's user, next to pool words"
    strings:
        // The address is anchored on the option or key that passes it, so the scan looks
        // for those words and never for the address's two-character prefix alone.
        $json = /"user"\s{0,4}:\s{0,4}"4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}"/
        $option = /(--user|-u)[= ]4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/
        $c1 = "stratum+" nocase
        $c2 = "xmrig" nocase
        $c3 = "pool" nocase
    condition:
        ($json or $option) and any of ($c*)
}

rule miner_xmrig_binary
{
    meta:
        id = "miner-xmrig-binary"
        severity = "critical"
        kind = "malware"
        description = "XMRig miner executable"
    strings:
        $name = "xmrig" nocase
        $s1 = "randomx" nocase
        $s2 = "donate-level"
        $s3 = "stratum"
        $s4 = "cryptonight" nocase
    condition:
        uint32(0) == 0x464c457f and $name and 3 of ($s*)
}
