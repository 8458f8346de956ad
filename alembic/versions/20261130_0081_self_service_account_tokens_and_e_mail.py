"""self-service account tokens and e-mail

Revision ID: 0081
Revises: 0080
Create Date: 2026-11-30 14:47:30.121608
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0081'
down_revision: str | None = '0080'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_addr', sa.String(length=45), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False, comment='sha256 of the address typed'),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reset_request'))
    )
    with op.batch_alter_table('reset_request', schema=None) as batch_op:
        batch_op.create_index('ix_reset_request_client_addr_at', ['client_addr', 'at'], unique=False)
        batch_op.create_index('ix_reset_request_email_hash_at', ['email_hash', 'at'], unique=False)

    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'password_reset', 'email_verify', name='tokenpurpose', native_enum=False, length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False, comment='sha256 of the token'),
    sa.Column('email', sa.String(length=254), nullable=True, comment='the address the link was sent to (the new one, to verify)'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True, comment='used, or replaced by a newer token'),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_account_token_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash'))
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index('ix_account_token_user_id_purpose', ['user_id', 'purpose'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True, comment='lower case'))
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True, comment='mail other than verification goes only to a verified address'))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=False, server_default=''))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_email'), ['email'])
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), existing_nullable=False, comment='empty until an invited user sets a password')



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), existing_nullable=False, comment=None, existing_comment='empty until an invited user sets a password')
        batch_op.drop_constraint(batch_op.f('uq_user_account_email'), type_='unique')
        batch_op.drop_column('phone')
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('email')

    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index('ix_account_token_user_id_purpose')

    op.drop_table('account_token')
    with op.batch_alter_table('reset_request', schema=None) as batch_op:
        batch_op.drop_index('ix_reset_request_email_hash_at')
        batch_op.drop_index('ix_reset_request_client_addr_at')

    op.drop_table('reset_request')
