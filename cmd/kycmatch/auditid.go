package main

import (
	"fmt"
	"sync/atomic"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
)

func auditIDCommand() *cli.Command {
	return &cli.Command{
		Name:      "audit-id",
		Usage:     "print the audit pseudonym (the audit log's \"line\") of one subscriber line",
		ArgsUsage: "PHONE",
		Flags:     keyringFlags(),
		Action:    auditIDAction,
	}
}

func auditIDAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("audit-id takes one phone number, in E.164 as the API takes it (+34612345678)")
	}
	phone, err := auditPhone(c.Args().First())
	if err != nil {
		return err
	}
	kr, err := openKeyring(c)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, kr.Active().LineIDs().Of(phone))
	return nil
}

// auditPhone reads the number as the API does: E.164, or a global tel:
// URI as a three-legged token carries it, so that what an investigator
// pastes gives the pseudonym serve logged. The message never repeats the
// number.
func auditPhone(s string) (string, error) {
	if len(s) > 4 && (s[:4] == "tel:" || s[:4] == "TEL:") {
		s = s[4:]
	}
	if !normalize.IsE164(s) {
		return "", usagef("the phone number is not E.164: want + and 5 to 15 digits, e.g. +34612345678")
	}
	return s, nil
}

// activeLines gives serve's audit pseudonyms under the keyring's active
// version, following it when the keyring is re-read after a rotation.
type activeLines struct {
	lk  *liveKeyring
	cur atomic.Pointer[keys.LineIDs]
}

var _ api.LineIDs = (*activeLines)(nil)

func newActiveLines(lk *liveKeyring) *activeLines { return &activeLines{lk: lk} }

func (a *activeLines) Append(dst []byte, phone string) []byte {
	k := a.lk.kr.Load().Active()
	ids := a.cur.Load()
	if ids == nil || ids.KeyID() != k.ID() {
		ids = k.LineIDs()
		a.cur.Store(ids)
	}
	return ids.Append(dst, phone)
}
