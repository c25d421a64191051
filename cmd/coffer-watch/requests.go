package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

func newRequestsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "requests",
		Short: "List the withdrawal requests, newest first, with their status",
		Long: `List every withdrawal request with its status: awaiting signatures (k of m),
signed, finalized, broadcast, confirmed (with confirmations, as of the last
sync), replaced.`,
		Example: "  coffer-watch requests\n  coffer-watch requests --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ask := func(ctx context.Context, svc *watch.Service) ([]watch.RequestView, error) {
				rs, err := svc.Requests(ctx)
				return orEmpty(rs), err
			}
			return query(cmd, g, ask, func(w io.Writer, rs []watch.RequestView) {
				for _, r := range rs {
					fmt.Fprintf(w, "%s  %s  %-16s %s  %s  %s\n", r.ID, r.Created, r.Wallet, build.FormatAmount(sats(r.Sent)), r.StatusText, r.TxID)
				}
			})
		},
	}
}

func newRequestCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "request",
		Short:   "Show one withdrawal request",
		Example: "  coffer-watch request show r1a2b3c4d5e",
	}
	var out string
	show := &cobra.Command{
		Use:   "show ID [--out request.psbt]",
		Short: "Show a request's status and history; --out writes its latest PSBT",
		Example: `  coffer-watch request show r1a2b3c4d5e
  coffer-watch request show r1a2b3c4d5e --out request.psbt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOut(out); err != nil {
				return err
			}
			if err := g.requireDB(); err != nil {
				return err
			}
			s, err := g.open(cmd, offline, 0)
			if err != nil {
				return err
			}
			defer s.close()
			r, err := s.svc.Request(cmd.Context(), args[0])
			if err != nil {
				return cli.Failf("'coffer-watch requests' lists the requests", "%v", err)
			}
			if out != "" {
				if err := atomicfile.WriteNew(out, r.PSBT, 0o644); err != nil {
					return outError(out, err, "", "")
				}
			}
			w := cmd.OutOrStdout()
			if g.json {
				return cli.WriteJSON(w, struct {
					*watch.RequestView
					Out    string `json:"out,omitempty"`
					SHA256 string `json:"sha256,omitempty"`
				}{r, out, outSHA256(out, r.PSBT)})
			}
			fmt.Fprintf(w, "request    %s\nwallet     %s\ncreated    %s by %s\nstatus     %s\ntxid       %s\n", r.ID, r.Wallet, r.Created, r.Initiator, r.StatusText, r.TxID)
			fmt.Fprintf(w, "sends      %s\nfee        %s at %s on %d vbytes\n", build.FormatAmount(sats(r.Sent)), build.FormatAmount(sats(r.Fee)), r.FeeRate, r.VSize)
			if r.Replaces != "" {
				fmt.Fprintf(w, "replaces   %s\n", r.Replaces)
			}
			fmt.Fprintln(w, "history:")
			for _, e := range r.History {
				fmt.Fprintf(w, "  %s  %-10s %s\n", e.At.Format("2006-01-02 15:04:05Z"), e.Kind, e.Detail)
			}
			if out != "" {
				fmt.Fprintf(w, "wrote %s\n", out)
				fmt.Fprintf(w, "sha256 %s\n", outSHA256(out, r.PSBT))
			}
			return nil
		},
	}
	show.Flags().StringVar(&out, "out", "", "write the request's latest PSBT to this file (never overwritten)")
	cmd.AddCommand(show)
	return cmd
}
