# Sourced by scripts/run.sh, scripts/test.sh and scripts/soak.sh.
#
# quiet_port [EXCLUDED_PORT...]: prints a TCP port on 127.0.0.1 that nobody listens on and is not excluded, below
# the kernel's ephemeral range (ip_local_port_range, 32768 by default). Outgoing connections' local ports and "any
# free port" binds (what tests running beside these scripts use) come from that range, so a port picked there could
# be taken between the check and the bind, or while a restarted server binds it again. Returns 1 when 200 tries
# find none.
quiet_port() {
    local ephemeral port attempt
    ephemeral="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
    ((ephemeral > 21024)) || ephemeral=32768
    for attempt in $(seq 1 200); do
        port=$((20000 + RANDOM % (ephemeral - 20000)))
        [[ " $* " == *" $port "* ]] && continue
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
        printf '%s\n' "$port"
        return 0
    done
    return 1
}
