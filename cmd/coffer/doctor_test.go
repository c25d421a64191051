package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fakeSysNet(t *testing.T, ifaces map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, flags := range ifaces {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "flags"), []byte(flags+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckAirGap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ifaces map[string]string
		status string
		detail string
	}{
		{"loopback only", map[string]string{"lo": "0x9"}, "ok", "no network interface"},
		{"ethernet down", map[string]string{"lo": "0x9", "eth0": "0x1002"}, "ok", "no network interface"},
		{"ethernet up", map[string]string{"lo": "0x9", "eth0": "0x1003"}, "warning", "eth0"},
		{"wifi up", map[string]string{"lo": "0x9", "wlan0": "0x1003", "eth0": "0x1002"}, "warning", "wlan0"},
		{"unreadable flags", map[string]string{"eth1": "zz"}, "warning", "eth1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checkAirGap(fakeSysNet(t, tc.ifaces))
			if c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("got %s %q, want %s containing %q", c.Status, c.Detail, tc.status, tc.detail)
			}
		})
	}
}

func TestDoctorStrictExitCode(t *testing.T) {
	vault := t.TempDir()
	cfg := doctorConfig{sysNet: fakeSysNet(t, map[string]string{"eth0": "0x1003"}), vault: vault, now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	var out, errs bytes.Buffer
	// Warnings only: exit 0 without --strict, exitDoctor with it.
	if err := runDoctor(&out, &errs, cfg, false, false); err != nil {
		t.Fatalf("without --strict: %v", err)
	}
	if !strings.Contains(errs.String(), "NOT AIR-GAPPED") {
		t.Fatalf("no loud warning: %q", errs.String())
	}
	err := runDoctor(&out, &errs, cfg, true, false)
	if err == nil || reportError(&bytes.Buffer{}, err) != exitDoctor {
		t.Fatalf("with --strict: got %v, want exit %d", err, exitDoctor)
	}
}

func TestDoctorVaultPermissions(t *testing.T) {
	vault := t.TempDir()
	if err := os.Chmod(vault, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vault, "ceremony.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := checkVaultPermissions(vault)
	if c.Status != "warning" || !strings.Contains(c.Detail, "want 0700") || !strings.Contains(c.Detail, "ceremony.json is 0644, want 0600") {
		t.Fatalf("got %+v", c)
	}
	if err := os.Chmod(vault, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(vault, "ceremony.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := checkVaultPermissions(vault); c.Status != "ok" {
		t.Fatalf("got %+v", c)
	}
}

func TestDoctorBrokenKeystoreFails(t *testing.T) {
	vault := t.TempDir()
	if err := os.WriteFile(filepath.Join(vault, keystoreFile), []byte("not a keystore"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := doctorConfig{sysNet: fakeSysNet(t, nil), vault: vault, now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	err := runDoctor(&out, &bytes.Buffer{}, cfg, false, false)
	if err == nil || !strings.Contains(out.String(), "[FAIL] keystore") {
		t.Fatalf("got %v\n%s", err, out.String())
	}
}

func TestCheckClock(t *testing.T) {
	if c := checkClock(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); c.Status != "warning" {
		t.Fatalf("2020 accepted: %+v", c)
	}
	if c := checkClock(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); c.Status != "ok" {
		t.Fatalf("2026 refused: %+v", c)
	}
}
